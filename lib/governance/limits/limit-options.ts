/** The `limits` and `limitStore` options of createBridge: their public types and their validation into rules. */
import type { Redis } from 'ioredis';
import type { Actor } from '../../http/actor-types';
import { OptionsError, isPlainObject, rejectUnknownKeys } from '../../options-check';
import { Pricer, type PriceTable } from '../../recorder/prices';

/** A number of points allowed per window. */
export interface LimitWindow {
  /** How many (requests, or tokens) one subject may use per window. A positive integer. */
  points: number;
  /** The window, in ms: a whole number of seconds (`60_000` for a minute). It starts with the first use in it. */
  windowMs: number;
}

/** A spending budget in US dollars per period, priced from the price table. */
export interface SpendBudget {
  /** Most USD one subject may spend per period (estimated from the recorded usage). Positive. */
  usd: number;
  /** The period, in ms: a whole number of seconds (`86_400_000` for a day). It starts with the first spend in it. */
  periodMs: number;
  /** Prices (USD per 1M tokens) merged over the shipped list. Defaults to the shipped list (`DEFAULT_PRICES`). */
  prices?: PriceTable;
}

/**
 * One rate limit or budget. Each subject (an actor, or a group of actors) has its own counters; a request counts
 * against every limit whose `models` match its model. Set at least one of `requests`, `concurrent`, `tokens`, `spend`.
 */
export interface LimitRule {
  /** Names the limit in `usageOf`, logs and the Redis keys. Defaults to `limit-<n>` (its position, from 1). */
  name?: string;
  /** Whose counters: each actor's own, or each group's (shared by its actors). */
  per: 'actor' | 'group';
  /**
   * With `per: 'group'`: the actor's group, as a metadata key (`'team'` reads `actor.metadata.team`) or a function.
   * An actor without a group is not limited by this rule. Required with `per: 'group'`.
   */
  groupOf?: string | ((actor: Actor) => string | undefined);
  /** The models this limit covers (counted together); a RegExp tested on the model name, or exact names. Defaults to every model. */
  models?: RegExp | string[];
  /** Requests admitted per window. Defaults to none. */
  requests?: LimitWindow;
  /** Requests in flight at once. A positive integer. Defaults to none. */
  concurrent?: number;
  /** Tokens per window, input plus output as the provider reported them (cached input not counted). Defaults to none. */
  tokens?: LimitWindow;
  /** Spend per period. Defaults to none. */
  spend?: SpendBudget;
  /**
   * When this rule's `tokens` and `spend` are enforced: `'admission'` refuses new requests once spent (a tool loop
   * ends between iterations); `'during'` also cuts a streamed answer that is being relayed when the budget is found
   * spent (checked at most once a second while it streams), with one protocol-correct error event. Defaults to `'admission'`.
   */
  enforce?: 'admission' | 'during';
}

/** Where the counters live. */
export interface LimitStoreOptions {
  /**
   * An ioredis URL (`redis://127.0.0.1:6379`) or client; every replica given the same Redis shares the counters. Required.
   * The admissions of one event-loop turn share one script call, and so do the ends. A client of the host's is used as
   * it was made; leave its `enableAutoPipelining` off (an auto-pipelined read may overtake a batch sent in its tick).
   */
  redis: string | Redis;
  /** Prefix of every key the limits write. Defaults to `aibridge:limits:`. */
  prefix?: string;
  /**
   * While Redis cannot be reached: `true` admits requests (logged, counted in `stats().limits.storeFailures`),
   * `false` refuses them with a provider-shaped `503`. Defaults to true.
   */
  failOpen?: boolean;
}

export type LimitKind = 'requests' | 'concurrent' | 'tokens' | 'spend';

/** One counter of a rule: what it counts, how many points it allows, over which window (none: concurrency). */
export interface MeterSpec {
  kind: LimitKind;
  /** In points: requests, tokens, or micro-USD for spend. */
  points: number;
  /** Undefined for `concurrent`. */
  windowMs: number | undefined;
}

/** A validated rule. */
export interface RuleConfig {
  name: string;
  per: 'actor' | 'group';
  subjectOf: (actor: Actor) => string | undefined;
  appliesTo: (model: string) => boolean;
  /** How the rule names its models in `usageOf`; undefined: every model. */
  models: string | undefined;
  meters: MeterSpec[];
  pricer: Pricer | undefined;
  /** Whether its budgets also cut a stream being relayed. */
  duringStream: boolean;
}

export interface LimitsConfig {
  rules: RuleConfig[];
  store: { redis: string | Redis; prefix: string; failOpen: boolean } | undefined;
  /** Whether any rule counts tokens or spend (answers are then read for their usage). */
  readsUsage: boolean;
}

export const LIMIT_STORE_DEFAULTS = { prefix: 'aibridge:limits:', failOpen: true };
/** Micro-USD per USD: spend is counted in whole micro-dollars (Redis counters are integers). */
export const MICRO_USD = 1_000_000;

const RULE_KEYS = ['name', 'per', 'groupOf', 'models', 'requests', 'concurrent', 'tokens', 'spend', 'enforce'];
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Validates `limits` and `limitStore` once, at creation; undefined when no limits are set. */
export function normalizeLimits(owner: string, limits: unknown, limitStore: unknown): LimitsConfig | undefined {
  if (limitStore !== undefined && limits === undefined) throw new OptionsError(owner, 'limitStore', 'is set without `limits`; declare the limits it stores.');
  if (limits === undefined) return undefined;
  if (!Array.isArray(limits)) throw new OptionsError(owner, 'limits', 'must be an array of limits ({ per, requests?, concurrent?, tokens?, spend? }).');
  const names = new Set<string>();
  const rules = limits.map((rule, i) => normalizeRule(owner, `limits[${i}]`, rule, i));
  for (const rule of rules) {
    if (names.has(rule.name)) throw new OptionsError(owner, 'limits', `has two limits named "${rule.name}"; give one a different \`name\`.`);
    names.add(rule.name);
  }
  return { rules, store: normalizeStore(owner, limitStore), readsUsage: rules.some((r) => r.meters.some((m) => m.kind === 'tokens' || m.kind === 'spend')) };
}

function normalizeRule(owner: string, at: string, rule: unknown, index: number): RuleConfig {
  if (!isPlainObject(rule)) throw new OptionsError(owner, at, 'must be an object ({ per, requests?, concurrent?, tokens?, spend? }).');
  rejectUnknownKeys(owner, rule, RULE_KEYS, `${at}.`);
  const name = rule.name === undefined ? `limit-${index + 1}` : rule.name;
  if (typeof name !== 'string' || !NAME.test(name)) throw new OptionsError(owner, `${at}.name`, 'must be 1 to 64 letters, digits, `_`, `.` or `-`.');
  const meters: MeterSpec[] = [];
  if (rule.requests !== undefined) meters.push({ kind: 'requests', ...limitWindow(owner, `${at}.requests`, rule.requests) });
  if (rule.concurrent !== undefined) {
    if (!Number.isSafeInteger(rule.concurrent) || (rule.concurrent as number) < 1) throw new OptionsError(owner, `${at}.concurrent`, 'must be a positive integer.');
    meters.push({ kind: 'concurrent', points: rule.concurrent as number, windowMs: undefined });
  }
  if (rule.tokens !== undefined) meters.push({ kind: 'tokens', ...limitWindow(owner, `${at}.tokens`, rule.tokens) });
  let pricer: Pricer | undefined;
  if (rule.spend !== undefined) {
    const spend = rule.spend as SpendBudget;
    if (!isPlainObject(spend)) throw new OptionsError(owner, `${at}.spend`, 'must be an object ({ usd, periodMs, prices? }).');
    rejectUnknownKeys(owner, spend as unknown as Record<string, unknown>, ['usd', 'periodMs', 'prices'], `${at}.spend.`);
    if (typeof spend.usd !== 'number' || !Number.isFinite(spend.usd) || spend.usd <= 0) throw new OptionsError(owner, `${at}.spend.usd`, 'must be a positive number of US dollars.');
    if (spend.prices !== undefined && !isPlainObject(spend.prices)) throw new OptionsError(owner, `${at}.spend.prices`, 'must be an object of model → { input, output } in USD per 1M tokens.');
    meters.push({ kind: 'spend', points: Math.max(1, Math.round(spend.usd * MICRO_USD)), windowMs: wholeSeconds(owner, `${at}.spend.periodMs`, spend.periodMs) });
    pricer = new Pricer({ prices: spend.prices }, `${owner}: ${at}.spend.prices`);
  }
  if (meters.length === 0) throw new OptionsError(owner, at, 'sets no limit; give it `requests`, `concurrent`, `tokens` or `spend`.');
  if (rule.enforce !== undefined && rule.enforce !== 'admission' && rule.enforce !== 'during') throw new OptionsError(owner, `${at}.enforce`, "must be 'admission' or 'during'.");
  const duringStream = rule.enforce === 'during';
  if (duringStream && rule.tokens === undefined && rule.spend === undefined) throw new OptionsError(owner, `${at}.enforce`, "'during' needs a budget to enforce (`tokens` or `spend`).");
  return { name, per: per(owner, at, rule.per), subjectOf: subjectOf(owner, at, rule.per as string, rule.groupOf), ...models(owner, at, rule.models), meters, pricer, duringStream };
}

function per(owner: string, at: string, v: unknown): 'actor' | 'group' {
  if (v !== 'actor' && v !== 'group') throw new OptionsError(owner, `${at}.per`, "must be 'actor' or 'group'.");
  return v;
}

function subjectOf(owner: string, at: string, per: string, groupOf: unknown): (actor: Actor) => string | undefined {
  if (per === 'actor') {
    if (groupOf !== undefined) throw new OptionsError(owner, `${at}.groupOf`, "is only read with per: 'group'.");
    return (actor) => actor.id;
  }
  if (typeof groupOf === 'string' && groupOf.length > 0) {
    return (actor) => {
      const group = actor.metadata?.[groupOf];
      return typeof group === 'string' && group.length > 0 ? group : typeof group === 'number' ? String(group) : undefined;
    };
  }
  if (typeof groupOf === 'function') {
    const fn = groupOf as (actor: Actor) => unknown;
    return (actor) => {
      const group = fn(actor);
      return typeof group === 'string' && group.length > 0 ? group : undefined;
    };
  }
  throw new OptionsError(owner, `${at}.groupOf`, "is required with per: 'group': a metadata key (e.g. 'team') or a function (actor) => group.");
}

function models(owner: string, at: string, v: unknown): Pick<RuleConfig, 'appliesTo' | 'models'> {
  if (v === undefined) return { appliesTo: () => true, models: undefined };
  if (v instanceof RegExp) {
    // A global or sticky RegExp keeps state between tests; a copy without those flags does not.
    const re = new RegExp(v.source, v.flags.replace(/[gy]/g, ''));
    return { appliesTo: (model) => re.test(model), models: String(re) };
  }
  if (Array.isArray(v) && v.length > 0 && v.every((m) => typeof m === 'string' && m.length > 0)) {
    const set = new Set(v as string[]);
    return { appliesTo: (model) => set.has(model), models: [...set].join(', ') };
  }
  throw new OptionsError(owner, `${at}.models`, 'must be a RegExp or a non-empty array of model names.');
}

function limitWindow(owner: string, at: string, v: unknown): { points: number; windowMs: number } {
  if (!isPlainObject(v)) throw new OptionsError(owner, at, 'must be an object ({ points, windowMs }).');
  rejectUnknownKeys(owner, v, ['points', 'windowMs'], `${at}.`);
  if (!Number.isSafeInteger(v.points) || (v.points as number) < 1) throw new OptionsError(owner, `${at}.points`, 'must be a positive integer.');
  return { points: v.points as number, windowMs: wholeSeconds(owner, `${at}.windowMs`, v.windowMs) };
}

/** Windows are whole seconds: the shared counters expire by the second. */
function wholeSeconds(owner: string, at: string, v: unknown): number {
  if (!Number.isSafeInteger(v) || (v as number) < 1000 || (v as number) % 1000 !== 0) {
    throw new OptionsError(owner, at, 'must be a whole number of seconds in ms (at least 1000, e.g. 60000).');
  }
  return v as number;
}

function normalizeStore(owner: string, v: unknown): LimitsConfig['store'] {
  if (v === undefined) return undefined;
  if (!isPlainObject(v)) throw new OptionsError(owner, 'limitStore', 'must be an object ({ redis, prefix?, failOpen? }).');
  rejectUnknownKeys(owner, v, ['redis', 'prefix', 'failOpen'], 'limitStore.');
  const { redis, prefix = LIMIT_STORE_DEFAULTS.prefix, failOpen = LIMIT_STORE_DEFAULTS.failOpen } = v;
  const isClient = !!redis && typeof redis === 'object' && typeof (redis as { multi?: unknown }).multi === 'function';
  if (!(typeof redis === 'string' && /^rediss?:\/\//.test(redis)) && !isClient) {
    throw new OptionsError(owner, 'limitStore.redis', 'must be a redis:// URL or an ioredis client.');
  }
  if (typeof prefix !== 'string') throw new OptionsError(owner, 'limitStore.prefix', 'must be a string.');
  if (typeof failOpen !== 'boolean') throw new OptionsError(owner, 'limitStore.failOpen', 'must be true or false.');
  return { redis: redis as string | Redis, prefix, failOpen };
}
