/** One limit's counters in process memory, bounded: a subject is forgotten when its window ends or, without a window, when it holds nothing. */

/** A counter's answer, in rate-limiter-flexible's words (what `Counter` reads of it). */
export interface CounterRes {
  consumedPoints: number;
  /** Ms until the window starts again; -1 without a window. */
  msBeforeNext: number;
}

/** What one remembered subject costs beyond its key (two bytes a character): the map entry, its record, its place in line. */
export const ENTRY_BYTES = 128;
/** Most bytes one windowed counter's subjects take by default: about 100,000 subjects with short ids. */
export const MEMORY_BUDGET_BYTES = 16 * 1024 * 1024;

interface Entry {
  readonly subject: string;
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
  private readonly entries = new Map<string, Entry>();
  /**
   * Windowed entries in the order they were made, which is the order their windows end (every window lasts the
   * same); from `head` on, with some since removed (skipped). Not the map's own order: walking a map from its start
   * passes over every entry deleted since it last grew, which made each eviction cost as much as the whole map.
   */
  private order: Entry[] = [];
  private head = 0;
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
      entry = { subject, used: 0, expiresAt: this.windowMs === undefined ? Infinity : now + this.windowMs };
      this.insert(entry, now);
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

  private insert(entry: Entry, now: number): void {
    const cost = costOf(entry.subject);
    // Concurrency entries are bounded by the requests in flight (each holds one): only windows need a budget.
    if (this.windowMs !== undefined) {
      this.makeRoom(cost, now);
      this.order.push(entry);
    }
    this.entries.set(entry.subject, entry);
    this.bytes += cost;
  }

  /** Forgets the windows that ended (all at the front of the line) and, while `cost` more would not fit, the oldest others. */
  private makeRoom(cost: number, now: number): void {
    const order = this.order;
    while (this.head < order.length) {
      const oldest = order[this.head];
      const current = this.entries.get(oldest.subject) === oldest;
      const ended = oldest.expiresAt <= now;
      if (current && !ended && this.bytes + cost <= this.budgetBytes) break;
      this.head++;
      if (!current) continue;
      this.remove(oldest.subject);
      if (!ended) this.onEvict();
    }
    // The line keeps what was removed out of turn (a request's points given back) until its window would have
    // ended: past twice the entries, it is rebuilt, so it stays bounded too (and costs nothing per entry, amortised).
    if (this.head > 0 && (this.head * 2 > order.length || order.length - this.head > 2 * this.entries.size + 64)) {
      this.order = order.slice(this.head).filter((e) => this.entries.get(e.subject) === e);
      this.head = 0;
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
