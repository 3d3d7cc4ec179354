/** One limit's counters in process memory, bounded: a subject is forgotten when its window ends or, without a window, when it holds nothing. */

/** A counter's answer, in rate-limiter-flexible's words (what `Counter` reads of it). */
export interface CounterRes {
  consumedPoints: number;
  /** Ms until the window starts again; -1 without a window. */
  msBeforeNext: number;
}

/** What one remembered subject costs beyond its key (two bytes a character): the map entry and its record. */
export const ENTRY_BYTES = 96;
/** Most bytes one windowed counter's subjects take by default: well over 100,000 subjects with short ids. */
export const MEMORY_BUDGET_BYTES = 16 * 1024 * 1024;

interface Entry {
  used: number;
  /** When the window ends (ms since the epoch); Infinity without a window. */
  expiresAt: number;
}

/**
 * The counters of one limit, one per subject, with the methods of rate-limiter-flexible's limiters that `Counter`
 * uses. A client may mint subjects (actors), so nothing here grows with their number alone:
 * - without a window (concurrency) a subject back to nothing held is deleted: what is left is what is in flight;
 * - with one, a subject is deleted when its window ends, and past `budgetBytes` the oldest are forgotten first (the
 *   nearest to their window's end): their window starts again, a limit loosened for them, never tightened for anyone.
 * Every change is synchronous, so no other request runs between a read and its write.
 */
export class MemoryCounter {
  /** In insertion order, which is the order windows end: every window lasts the same, and a new one is inserted anew. */
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly keyPrefix: string,
    private readonly points: number,
    private readonly windowMs: number | undefined,
    private readonly budgetBytes: number,
    /** Told when a subject whose window had not ended is forgotten to stay within the budget. */
    private readonly onEvict: () => void,
  ) {}

  /** Subjects remembered now. */
  get size(): number {
    return this.entries.size;
  }

  getKey(subject: string): string {
    return `${this.keyPrefix}:${subject}`;
  }

  /** Adds `n`; rejects with the counter's answer when the total goes past the limit (the points stay added, as rate-limiter-flexible does). */
  consume(subject: string, n: number): Promise<CounterRes> {
    const res = this.change(subject, n);
    return res.consumedPoints > this.points ? Promise.reject(res) : Promise.resolve(res);
  }

  penalty(subject: string, n: number): Promise<CounterRes> {
    return Promise.resolve(this.change(subject, n));
  }

  reward(subject: string, n: number): Promise<CounterRes> {
    return Promise.resolve(this.change(subject, -n));
  }

  get(subject: string): Promise<CounterRes | null> {
    const now = Date.now();
    const entry = this.live(subject, now);
    return Promise.resolve(entry ? answer(entry, now) : null);
  }

  private change(subject: string, n: number): CounterRes {
    const now = Date.now();
    let entry = this.live(subject, now);
    if (!entry) {
      // Giving back what is not held (a subject forgotten) adds nothing: it must not become a credit.
      if (n <= 0) return { consumedPoints: 0, msBeforeNext: -1 };
      entry = { used: 0, expiresAt: this.windowMs === undefined ? Infinity : now + this.windowMs };
      this.insert(subject, entry, now);
    }
    entry.used += n;
    const res = answer(entry, now);
    // Nothing counted (a slot given back, a request's points returned): nothing to remember.
    if (entry.used <= 0) this.remove(subject);
    return res;
  }

  /** The subject's entry, unless its window ended (then it is forgotten). */
  private live(subject: string, now: number): Entry | undefined {
    const entry = this.entries.get(subject);
    if (entry && entry.expiresAt <= now) {
      this.remove(subject);
      return undefined;
    }
    return entry;
  }

  private insert(subject: string, entry: Entry, now: number): void {
    const cost = costOf(subject);
    // Concurrency entries are bounded by the requests in flight (each holds one): only windows need a budget.
    if (this.windowMs !== undefined) this.makeRoom(cost, now);
    this.entries.set(subject, entry);
    this.bytes += cost;
  }

  /** Forgets the windows that ended (all at the front) and, while `cost` more would not fit, the oldest others. */
  private makeRoom(cost: number, now: number): void {
    for (const [subject, entry] of this.entries) {
      const ended = entry.expiresAt <= now;
      if (!ended && this.bytes + cost <= this.budgetBytes) return;
      this.remove(subject);
      if (!ended) this.onEvict();
    }
  }

  private remove(subject: string): void {
    if (this.entries.delete(subject)) this.bytes -= costOf(subject);
  }
}

function costOf(subject: string): number {
  return ENTRY_BYTES + 2 * subject.length;
}

function answer(entry: Entry, now: number): CounterRes {
  return { consumedPoints: entry.used, msBeforeNext: entry.expiresAt === Infinity ? -1 : entry.expiresAt - now };
}
