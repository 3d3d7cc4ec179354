/** The bridge's rate limits and budgets: a request's admission, and each subject's standing (`usageOf`). */
import type { Logger } from 'winston';
import type { Actor } from '../../http/actor-types';
import { MICRO_USD, type LimitKind, type LimitsConfig, type RuleConfig } from './limit-options';
import { LimitStore, type Counter } from './limit-store';
import { limitRefusal, type RateLimitHeaders, type Refused } from './limit-refusal';
import { LimitAdmission, type BudgetCounter } from './limit-admission';
import { FAILURE_LOG_INTERVAL_MS, LogThrottle } from '../../observability/log-throttle';

/** One limit of one subject, as `bridge.usageOf(actor)` reports it. */
export interface LimitUsage {
  /** The rule's `name`. */
  name: string;
  kind: LimitKind;
  per: 'actor' | 'group';
  /** The actor id or the group whose counter this is. */
  subject: string;
  /** The models the rule covers (a RegExp's text or a list); absent: every model. */
  models?: string;
  /** What `limit`, `used` and `remaining` count. */
  unit: 'requests' | 'tokens' | 'usd';
  limit: number;
  used: number;
  remaining: number;
  /** When the window starts again; absent for concurrency and while nothing is used. */
  resetsAt?: Date;
  /** The window (or period) in ms; absent for concurrency. */
  windowMs?: number;
  /** For spend: models this rule saw used that the price table does not know (their spend is not counted). */
  unpricedModels?: string[];
}

/** What the limits counted since the bridge was created, for `stats()`. */
export interface LimitStats {
  /** Requests a limit covered that were admitted. */
  admitted: number;
  /** Requests refused with `limit_exceeded` (requests per window, concurrency). */
  limitExceeded: number;
  /** Requests refused with `budget_exceeded` (tokens, spend), and tool loops a budget ended. */
  budgetExceeded: number;
  /** Store commands that failed or timed out (Redis down); each failed open or closed as configured. */
  storeFailures: number;
  /** Requests refused because the store failed and `failOpen` is false. */
  failedClosed: number;
}

/** A rule with its counters, one per limit it sets. */
export interface Rule extends RuleConfig {
  readonly counters: readonly Counter[];
  /** Models its spend could not price (bounded), for `usageOf`. */
  readonly unpriced: Set<string>;
}

const UNIT: Record<LimitKind, LimitUsage['unit']> = { requests: 'requests', concurrent: 'requests', tokens: 'tokens', spend: 'usd' };

export class Limits {
  readonly store: LimitStore;
  readonly rules: readonly Rule[];
  private readonly throttle = new LogThrottle(FAILURE_LOG_INTERVAL_MS);
  readonly counts = { admitted: 0, limitExceeded: 0, budgetExceeded: 0, failedClosed: 0 };

  constructor(config: LimitsConfig, readonly logger: Logger) {
    this.store = new LimitStore(config.store, logger);
    this.rules = config.rules.map((rule) => ({ ...rule, counters: rule.meters.map((m) => this.store.counter(rule.name, m)), unpriced: new Set<string>() }));
  }

  /**
   * Admits a request of `actor` for `model`: the budgets it would use must have something left, then it takes a
   * request and a concurrency slot of every limit that covers it. Resolves the admission (whose `release()` gives the
   * slots back), undefined when no limit covers it; throws the provider-shaped refusal otherwise.
   */
  async admit(actor: Actor, model: string, headers: RateLimitHeaders | undefined): Promise<LimitAdmission | undefined> {
    const budgets: BudgetCounter[] = [];
    const takes: Array<{ rule: Rule; counter: Counter; subject: string }> = [];
    for (const rule of this.rules) {
      if (!rule.appliesTo(model)) continue;
      const subject = rule.subjectOf(actor);
      if (subject === undefined) continue;
      for (const counter of rule.counters) {
        const kind = counter.spec.kind;
        if (kind === 'tokens' || kind === 'spend') budgets.push({ rule, counter, subject });
        else takes.push({ rule, counter, subject });
      }
    }
    if (budgets.length === 0 && takes.length === 0) return undefined;
    try {
      const refused = await this.store.admit(budgets, takes);
      if (refused) {
        const { rule, counter } = refused.index < budgets.length ? budgets[refused.index] : takes[refused.index - budgets.length];
        throw this.refuse({ rule: rule.name, spec: counter.spec, state: refused.state }, headers);
      }
    } catch (err) {
      if ((err as { code?: unknown }).code === 'limit_store_unavailable') this.counts.failedClosed++;
      throw err;
    }
    this.counts.admitted++;
    return new LimitAdmission(takes, budgets, model, this);
  }

  private refuse(refused: Refused, headers: RateLimitHeaders | undefined) {
    const error = limitRefusal(refused, headers);
    if (error.code === 'budget_exceeded') this.counts.budgetExceeded++;
    else this.counts.limitExceeded++;
    // Keyed by rule and kind (a fixed set): one line per interval says how many were refused since.
    const suppressed = this.throttle.allow(`${refused.rule}:${refused.spec.kind}`);
    if (suppressed !== false) this.logger.info('a rate limit refused a request', { limit: refused.rule, kind: refused.spec.kind, code: error.code, suppressed });
    return error;
  }

  /** Each limit that applies to `actor` (an actor, or an actor id: group rules then need the actor), with what is used and when it resets. */
  async usageOf(actor: Actor | string): Promise<LimitUsage[]> {
    const who: Actor = typeof actor === 'string' ? { id: actor } : actor;
    const rows: Array<Promise<LimitUsage>> = [];
    for (const rule of this.rules) {
      const subject = rule.subjectOf(who);
      if (subject === undefined) continue;
      for (const counter of rule.counters) rows.push(this.usageRow(rule, counter, subject));
    }
    return Promise.all(rows);
  }

  private async usageRow(rule: Rule, counter: Counter, subject: string): Promise<LimitUsage> {
    const { kind, points, windowMs } = counter.spec;
    const state = await counter.read(subject);
    const scale = kind === 'spend' ? MICRO_USD : 1;
    const used = Math.min(state.used, Number.MAX_SAFE_INTEGER);
    const row: LimitUsage = {
      name: rule.name, kind, per: rule.per, subject, unit: UNIT[kind],
      limit: points / scale, used: used / scale, remaining: Math.max(0, points - used) / scale,
    };
    if (rule.models !== undefined) row.models = rule.models;
    if (windowMs !== undefined) row.windowMs = windowMs;
    if (state.msBeforeReset !== undefined && windowMs !== undefined) row.resetsAt = new Date(Date.now() + state.msBeforeReset);
    if (kind === 'spend') row.unpricedModels = [...rule.unpriced];
    return row;
  }

  stats(): LimitStats {
    return { ...this.counts, storeFailures: this.store.failures };
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
