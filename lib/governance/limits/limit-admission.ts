/** One admitted request's part in the limits: the concurrency slots it holds, and the budgets its usage is counted against. */
import type { GatewayError } from '../../errors';
import { MICRO_USD } from './limit-options';
import { limitRefusal } from './limit-refusal';
import type { Change, Counter } from './limit-store';
import type { Limits, Rule } from './limits';

/** A budget counter (tokens or spend) of one rule for one subject. */
export interface BudgetCounter {
  rule: Rule;
  counter: Counter;
  subject: string;
}

/** Token counts as the recorder has them (`input` without cached tokens). */
export interface UsageCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** While a stream is relayed under an `enforce: 'during'` budget, the budget is read at most this often. */
const DURING_CHECK_MS = 1_000;

/** Most unpriced model names one rule remembers (a client chooses model names). */
const MAX_UNPRICED = 100;

export class LimitAdmission {
  private released = false;
  /** The budget writes not settled yet: a check between loop iterations waits for them. */
  private pending: Promise<unknown> = Promise.resolve();
  /**
   * Usage counted but not written yet, per budget: written with the slots given back at the end (one command on
   * Redis), or before a budget is read (between loop iterations, during a stream), or at once after the end.
   */
  private unsent: number[] | undefined;
  /**
   * Checked after each relayed chunk of a stream when a budget of this request is enforced during streams: the
   * refusal once a read found it spent (reads run in the background, at most once a second); undefined otherwise.
   */
  readonly duringStream: (() => GatewayError | undefined) | undefined;
  private readonly hard: readonly BudgetCounter[];
  private spentError: GatewayError | undefined;
  private lastCheck = 0;
  private checking = false;

  /** The concurrency slots given back at the end. */
  private readonly slots: readonly Change[];

  constructor(
    /** The request points and concurrency slots this request took. */
    private readonly taken: ReadonlyArray<{ counter: Counter; subject: string }>,
    private readonly budgets: readonly BudgetCounter[],
    private readonly model: string,
    private readonly limits: Limits,
  ) {
    this.slots = taken.filter((t) => t.counter.spec.kind === 'concurrent').map(({ counter, subject }) => ({ counter, subject, n: -1 }));
    this.hard = budgets.filter((b) => b.rule.duringStream);
    this.duringStream = this.hard.length > 0 ? () => this.checkDuring() : undefined;
  }

  private checkDuring(): GatewayError | undefined {
    if (this.spentError || this.checking) return this.spentError;
    const now = Date.now();
    if (now - this.lastCheck < DURING_CHECK_MS) return undefined;
    this.lastCheck = now;
    this.checking = true;
    this.readHard().then((error) => {
      this.spentError = error;
    }, () => undefined).finally(() => {
      this.checking = false;
    });
    return undefined;
  }

  /** The refusal when a hard budget is spent (by this request's earlier calls or by other requests of its subject). */
  private async readHard(): Promise<GatewayError | undefined> {
    await this.flush([]);
    const states = await Promise.all(this.hard.map((b) => b.counter.read(b.subject)));
    const over = states.findIndex((state, i) => state.used >= this.hard[i].counter.spec.points);
    if (over < 0) return undefined;
    this.limits.counts.budgetExceeded++;
    const { rule, counter } = this.hard[over];
    return limitRefusal({ rule: rule.name, spec: counter.spec, state: states[over] }, undefined);
  }

  /** Whether answers must be read for their usage (a budget counts it). */
  get readsUsage(): boolean {
    return this.budgets.length > 0;
  }

  /** A later admission check refused the request: the request points it took go back too (a refused request does not count). */
  refund(): void {
    if (this.released) return;
    const points = this.taken.filter((t) => t.counter.spec.kind === 'requests').map(({ counter, subject }) => ({ counter, subject, n: -1 }));
    this.end(points);
  }

  /** Gives the concurrency slots back, with the usage not written yet; once, at the end of the request. */
  release(): void {
    if (this.released) return;
    this.end([]);
  }

  private end(points: Change[]): void {
    this.released = true;
    void this.flush(points.length === 0 ? this.slots : [...points, ...this.slots]);
  }

  /** Counts one upstream call's usage against the budgets (tokens: input + output; spend: priced by the request's model). */
  spend(usage: UsageCounts): void {
    if (this.budgets.length === 0) return;
    const unsent = this.unsent ?? (this.unsent = new Array<number>(this.budgets.length).fill(0));
    for (let i = 0; i < this.budgets.length; i++) unsent[i] += this.pointsOf(this.budgets[i], usage);
    // After the end nothing else will write it.
    if (this.released) void this.flush([]);
  }

  /** Writes `changes` and the usage not written yet, in one settle; resolves once every write so far is settled. */
  private flush(changes: readonly Change[]): Promise<unknown> {
    let all = changes;
    if (this.unsent) {
      const usage: Change[] = [];
      for (let i = 0; i < this.budgets.length; i++) if (this.unsent[i] > 0) usage.push({ counter: this.budgets[i].counter, subject: this.budgets[i].subject, n: this.unsent[i] });
      this.unsent = undefined;
      all = usage.length === 0 ? changes : [...changes, ...usage];
    }
    if (all.length > 0) this.pending = Promise.all([this.pending, this.limits.store.settle(all)]);
    return this.pending;
  }

  /** Whether a budget of this request has run out (after its usage so far, and `next` when given, is counted); a tool loop then stops. */
  async exhausted(next?: UsageCounts): Promise<boolean> {
    if (this.budgets.length === 0) return false;
    await this.flush([]);
    let states;
    try {
      states = await Promise.all(this.budgets.map((b) => b.counter.read(b.subject)));
    } catch {
      // Failing closed refuses new requests; a loop already running ends as if a budget ran out.
      return true;
    }
    const out = states.some((state, i) => state.used + (next ? this.pointsOf(this.budgets[i], next) : 0) >= this.budgets[i].counter.spec.points);
    if (out) this.limits.counts.budgetExceeded++;
    return out;
  }

  private pointsOf({ rule, counter }: BudgetCounter, usage: UsageCounts): number {
    return counter.spec.kind === 'tokens' ? usage.input + usage.output : this.microUsd(rule, usage);
  }

  private microUsd(rule: Rule, usage: UsageCounts): number {
    const price = rule.pricer!.priceOf(this.model);
    if (!price) {
      this.unpriced(rule);
      return 0;
    }
    const usd = (usage.input * price.input + usage.output * price.output + usage.cacheRead * price.cacheRead + usage.cacheWrite * price.cacheWrite) / 1e6;
    return Math.ceil(usd * MICRO_USD);
  }

  private unpriced(rule: Rule): void {
    if (rule.unpriced.has(this.model) || rule.unpriced.size >= MAX_UNPRICED) return;
    rule.unpriced.add(this.model);
    this.limits.logger.warn('a spend limit cannot price this model; its spend is not counted', { limit: rule.name, model: this.model });
  }
}
