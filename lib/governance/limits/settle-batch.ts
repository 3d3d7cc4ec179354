/** The ends of requests on Redis in one turn of the event loop (slots given back, usage added), summed per key for one script call. */
import type { TakenBatch } from './admission-batch';

/** A change to one counter of one subject: points given back (negative) or usage added (positive). */
export interface KeyChange {
  key: string;
  n: number;
  ttlSec: number;
  /** A concurrency slot (its count stops at zero and renews its expiry). */
  slot: boolean;
  /** A budget (its count after the change is learned). */
  budget: boolean;
}

interface Summed {
  n: number;
  ttlSec: number;
  slot: boolean;
  budget: boolean;
}

export class SettleBatch {
  private sums = new Map<string, Summed>();
  private waiting: Array<{ resolve(): void; reject(err: unknown): void }> = [];

  constructor(
    /** Called when the first end of a turn waits (the batch is then to be sent at the turn's end). */
    private readonly wake: () => void,
    /** Called with each budget's count after a batch that ran. */
    private readonly learned: (key: string, used: number) => void,
  ) {}

  /** Adds `changes` to this turn's batch; resolves once it ran, rejects when it failed. */
  settle(changes: readonly KeyChange[]): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) this.wake();
      this.waiting.push({ resolve, reject });
      for (const c of changes) {
        const sum = this.sums.get(c.key);
        if (sum) sum.n += c.n;
        else this.sums.set(c.key, { n: c.n, ttlSec: c.ttlSec, slot: c.slot, budget: c.budget });
      }
    });
  }

  /** The ends waiting, summed per key, to send now; undefined when none waits. */
  take(): TakenBatch | undefined {
    const sums = this.sums;
    const waiting = this.waiting;
    if (waiting.length === 0) return undefined;
    this.sums = new Map();
    this.waiting = [];
    const keys = [...sums.keys()];
    const args: Array<string | number> = [];
    for (const s of sums.values()) args.push(s.n, s.ttlSec, s.slot ? 1 : 0);
    return {
      keys,
      args: [args],
      answer: (counts, offset) => {
        let i = 0;
        for (const s of sums.values()) {
          if (s.budget) this.learned(keys[i], counts[offset + i]);
          i++;
        }
        for (const w of waiting) w.resolve();
      },
      fail: (err) => {
        for (const w of waiting) w.reject(err);
      },
    };
  }
}
