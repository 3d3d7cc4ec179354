/** Rate-limits repeated log lines: at most one line per key per interval, with the count of those it held back. */

/**
 * Decides whether a repeated log line may be written now. Keys are the caller's choice (e.g. `'recorder timeout'`
 * or a provider name) and are kept for the life of the throttle, so use a small fixed set of them, never a
 * per-request value.
 */
export class LogThrottle {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  /**
   * @param intervalMs Least time between two lines of the same key.
   * @param now Clock, for tests. Defaults to `Date.now`.
   */
  constructor(private readonly intervalMs: number, private readonly now: () => number = Date.now) {}

  /**
   * `false` when a line of this key was allowed less than `intervalMs` ago (this one is counted as suppressed);
   * otherwise the number of lines suppressed since the last allowed one (`0` included, so test with `!== false`).
   */
  allow(key: string): number | false {
    const now = this.now();
    const entry = this.last.get(key);
    if (!entry) {
      this.last.set(key, { at: now, suppressed: 0 });
      return 0;
    }
    if (now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return false;
    }
    const suppressed = entry.suppressed;
    entry.at = now;
    entry.suppressed = 0;
    return suppressed;
  }
}

/** How long identical failure lines are held back. */
export const FAILURE_LOG_INTERVAL_MS = 10_000;
