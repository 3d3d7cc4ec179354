/** The ends of requests on Redis in one turn of the event loop (slots given back, usage added), summed per key and sent as one script call. */
import type { SendScript } from './admission-batch';

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

/** The changes of one key in a batch, summed. */
type Summed = Omit<KeyChange, 'key'>;

export class SettleBatch {
  private sums = new Map<string, Summed>();
  private waiting: Array<{ resolve(): void; reject(err: unknown): void }> = [];

  constructor(
    private readonly send: SendScript,
    /** Called with each budget's count after a batch that ran. */
    private readonly learned: (key: string, used: number) => void,
  ) {}

  /** Adds `changes` to this turn's batch; resolves once it ran, rejects when it failed. */
  settle(changes: readonly KeyChange[]): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) setImmediate(this.flush);
      this.waiting.push({ resolve, reject });
      for (const c of changes) {
        const sum = this.sums.get(c.key);
        if (sum) sum.n += c.n;
        else this.sums.set(c.key, { n: c.n, ttlSec: c.ttlSec, slot: c.slot, budget: c.budget });
      }
    });
  }

  /** Sends what waits now (a read that follows must see it); the turn's end then finds nothing to send. */
  readonly flush = (): void => {
    const sums = this.sums;
    const waiting = this.waiting;
    if (waiting.length === 0) return;
    this.sums = new Map();
    this.waiting = [];
    const keys = [...sums.keys()];
    const args: Array<string | number> = [];
    for (const s of sums.values()) args.push(s.n, s.ttlSec, s.slot ? 1 : 0);
    this.send(keys.length, [keys, args]).then((counts) => {
      let i = 0;
      for (const s of sums.values()) {
        if (s.budget) this.learned(keys[i], (counts as number[])[i]);
        i++;
      }
      for (const w of waiting) w.resolve();
    }, (err) => {
      for (const w of waiting) w.reject(err);
    });
  };
}
