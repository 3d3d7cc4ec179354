/** Rate-limits repeated identical log lines (the same key cooling, the same upstream down) to one per interval. */

/**
 * Remembers, per key, when a line was last let through. Keys are short strings the caller builds from what
 * makes two failures "the same" (e.g. provider + error code); never put key material or request data in them.
 */
export class LogThrottle {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  /** @param intervalMs Least time between two lines with the same key. */
  constructor(private readonly intervalMs: number) {}

  /**
   * Whether a line with this key may be logged now: `false` when it must be dropped, otherwise how many were
   * dropped since the last one let through (so the line can say so).
   */
  allow(key: string, now: number = Date.now()): number | false {
    const entry = this.last.get(key);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return false;
    }
    const suppressed = entry?.suppressed ?? 0;
    // A stale entry is replaced in place, so the map holds one entry per distinct key, which callers keep few.
    this.last.set(key, { at: now, suppressed: 0 });
    return suppressed;
  }
}

/** How long identical failure lines are held back. */
export const FAILURE_LOG_INTERVAL_MS = 10_000;
