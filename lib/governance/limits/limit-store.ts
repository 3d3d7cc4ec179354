/** The limits' counters: rate-limiter-flexible over Redis (shared by replicas) or bounded process memory; a Redis failure fails open or closed. */
import type { Logger } from 'winston';
import type { Redis } from 'ioredis';

import { Refusal } from '../../errors';
import { createOwnedClient, quitClient, waitForConnection, withTimeout } from '../../redis-client';
import { errorMessage } from '../../observability/logger';
import { FAILURE_LOG_INTERVAL_MS, LogThrottle } from '../../observability/log-throttle';
import type { LimitsConfig, MeterSpec } from './limit-options';
import { ADMIT_SCRIPT, SETTLE_SCRIPT } from './limit-scripts';
import { BudgetCache } from './budget-cache';
import { MEMORY_BUDGET_BYTES, MemoryCounter, type CounterRes } from './memory-counter';

/** How long one Redis command may take before it counts as a failure (the request is not held longer). */
const COMMAND_TIMEOUT_MS = 1_000;
/**
 * Concurrency slots on Redis expire after this long without a request taking or giving one back, so that a replica
 * that died holding slots does not hold them for ever. In memory they never expire (the process that holds them is
 * the one that counts): a subject is forgotten when it holds none.
 */
const SHARED_SLOT_TTL_SEC = 3_600;

/** A subject's standing on one counter. */
export interface CounterState {
  used: number;
  /** Ms until the window starts again; undefined when the counter has no window (concurrency) or nothing was used. */
  msBeforeReset: number | undefined;
}

/** The refusal when the counters cannot be read and the host chose to fail closed. */
export const STORE_UNAVAILABLE = new Refusal({
  status: 503, errorType: 'overloaded', code: 'limit_store_unavailable', retryAfterSec: 1,
  message: 'The gateway cannot check its rate limits right now; try again shortly.',
});

/** One counter of one subject, as a request holds it. */
export interface Held {
  counter: Counter;
  subject: string;
}

/** A change to one held counter: points given back (negative) or usage added (positive). */
export interface Change extends Held {
  n: number;
}

/** The counter that refused an admission: its index (budgets first, then takes) and its state. */
export interface Refusing {
  index: number;
  state: CounterState;
}

/**
 * One counter of one rule (its key prefix names the rule and the kind), per subject. In memory, rate-limiter-flexible
 * counts; on Redis it reads (`usageOf`, budgets between loop iterations), and the store's scripts write the same keys.
 */
/** What a counter asks of its limiter: rate-limiter-flexible's on Redis, a `MemoryCounter` in memory. */
export interface Limiter {
  getKey(subject: string): string;
  consume(subject: string, n: number): Promise<unknown>;
  penalty(subject: string, n: number): Promise<unknown>;
  reward(subject: string, n: number): Promise<unknown>;
  get(subject: string): Promise<CounterRes | null>;
}

export class Counter {
  constructor(
    private readonly limiter: Limiter,
    private readonly store: LimitStore,
    readonly spec: MeterSpec,
    /** The key's expiry on Redis, in seconds. */
    readonly ttlSec: number,
  ) {}

  /** The subject's key, as rate-limiter-flexible names it. */
  key(subject: string): string {
    return this.limiter.getKey(subject);
  }

  /** Adds `n` if the total stays within the limit: `undefined` when it did, else the state that refused it. */
  async take(subject: string, n: number): Promise<CounterState | undefined> {
    try {
      await withTimeout(this.store.command(() => this.limiter.consume(subject, n)), COMMAND_TIMEOUT_MS);
      return undefined;
    } catch (err) {
      if (!isLimiterRes(err)) return this.store.failed(err, undefined);
      // The refused request does not count: only admitted ones use the limit.
      await this.give(subject, n);
      return stateOf(err);
    }
  }

  /** Adds `n` whatever the total (usage already spent). */
  async add(subject: string, n: number): Promise<void> {
    if (n <= 0) return;
    try {
      await withTimeout(this.store.command(() => this.limiter.penalty(subject, n)), COMMAND_TIMEOUT_MS);
    } catch (err) {
      this.store.failed(err, undefined, false);
    }
  }

  /** Gives `n` back (a concurrency slot at the end of a request, a refused request). */
  async give(subject: string, n: number): Promise<void> {
    try {
      await withTimeout(this.store.command(() => this.limiter.reward(subject, n)), COMMAND_TIMEOUT_MS);
    } catch (err) {
      this.store.failed(err, undefined, false);
    }
  }

  /** What `subject` used of this counter; nothing used while the store fails open. */
  async read(subject: string): Promise<CounterState> {
    try {
      const res = await withTimeout(this.store.command(() => this.limiter.get(subject)), COMMAND_TIMEOUT_MS);
      return res ? stateOf(res) : { used: 0, msBeforeReset: undefined };
    } catch (err) {
      return this.store.failed(err, { used: 0, msBeforeReset: undefined });
    }
  }
}

/** A take that got its point (as opposed to one refused, or one the store failed). */
function isTaken(r: PromiseSettledResult<unknown>): boolean {
  return r.status === 'fulfilled' && r.value === undefined;
}

function isLimiterRes(v: unknown): v is CounterRes {
  return !!v && typeof v === 'object' && typeof (v as CounterRes).consumedPoints === 'number' && !(v instanceof Error);
}

function stateOf(res: CounterRes): CounterState {
  return { used: Math.max(0, res.consumedPoints), msBeforeReset: res.msBeforeNext > 0 ? res.msBeforeNext : undefined };
}

/** Where the counters live, and what their failures cost: counted, logged (throttled), then open or closed. */
export class LimitStore {
  /** Store commands that failed or timed out. */
  failures = 0;
  private readonly throttle = new LogThrottle(FAILURE_LOG_INTERVAL_MS);
  private readonly client: Redis | undefined;
  private readonly ownsClient: boolean;
  /** On Redis: budgets recently seen far from spent, not read again at admission. */
  private readonly budgetsKnown = new BudgetCache();
  readonly kind: 'memory' | 'redis';
  private readonly failOpen: boolean;
  private readonly prefix: string;

  /** In memory: every counter, each bounded (`memorySubjects`). */
  private readonly memoryCounters: MemoryCounter[] = [];

  constructor(
    config: LimitsConfig['store'],
    private readonly logger: Logger,
    /** In memory: most bytes one windowed counter's subjects take (not an option: tests make it small). */
    private readonly memoryBudgetBytes = MEMORY_BUDGET_BYTES,
  ) {
    this.kind = config ? 'redis' : 'memory';
    this.failOpen = config?.failOpen ?? true;
    this.prefix = config?.prefix ?? '';
    this.ownsClient = typeof config?.redis === 'string';
    // Auto-pipelining: under concurrent requests, the admissions and settlements of one tick share one write and one read.
    this.client = config === undefined ? undefined : typeof config.redis === 'string' ? createOwnedClient(config.redis, { autoPipelining: true }) : config.redis;
    // An owned client's connection errors are the failures counted here, not unhandled 'error' events.
    if (this.ownsClient) this.client!.on('error', () => {});
  }

  /** @internal Subjects held in process memory, over every counter (for tests: it must fall back as requests end). */
  get memorySubjects(): number {
    let n = 0;
    for (const c of this.memoryCounters) n += c.size;
    return n;
  }

  /** The counter of `spec` for rule `rule`. */
  counter(rule: string, spec: MeterSpec): Counter {
    const keyPrefix = `${this.prefix}${rule}:${spec.kind}`;
    const duration = spec.windowMs === undefined ? (this.client ? SHARED_SLOT_TTL_SEC : 0) : spec.windowMs / 1000;
    if (!this.client) {
      const memory = new MemoryCounter(keyPrefix, spec.points, spec.windowMs, this.memoryBudgetBytes, () => this.evicted());
      this.memoryCounters.push(memory);
      return new Counter(memory, this, spec, duration);
    }
    // Loaded here, not at import: a bridge without limits on Redis never loads it.
    const flexible = require('rate-limiter-flexible') as typeof import('rate-limiter-flexible');
    return new Counter(new flexible.RateLimiterRedis({ keyPrefix, points: spec.points, duration, storeClient: this.client }), this, spec, duration);
  }

  /**
   * Checks the budgets (each must have something left) and takes one point of each of `takes`, all or nothing:
   * undefined when admitted, else the counter that refused. On Redis, one script in one round trip; in memory,
   * rate-limiter-flexible's counters one by one.
   */
  async admit(budgets: readonly Held[], takes: readonly Held[]): Promise<Refusing | undefined> {
    if (!this.client) return this.admitInMemory(budgets, takes);
    const now = Date.now();
    const keys: string[] = [];
    const args: Array<string | number> = [0];
    /** The indexes of the budgets read. */
    const read: number[] = [];
    for (let i = 0; i < budgets.length; i++) {
      const { counter, subject } = budgets[i];
      const key = counter.key(subject);
      if (this.budgetsKnown.skips(key, counter.spec.points, now)) continue;
      read.push(i);
      keys.push(key);
      args.push(counter.spec.points);
    }
    args[0] = read.length;
    // Nothing to take and no budget to read: nothing to wait for.
    if (keys.length === 0 && takes.length === 0) return undefined;
    for (const { counter, subject } of takes) {
      keys.push(counter.key(subject));
      args.push(counter.spec.points, counter.ttlSec, counter.spec.kind === 'concurrent' ? 1 : 0);
    }
    let reply: number[];
    try {
      reply = await withTimeout(this.command(() => ADMIT_SCRIPT.run(this.client!, keys, args)), COMMAND_TIMEOUT_MS) as number[];
    } catch (err) {
      return this.failed(err, undefined);
    }
    if (reply[0] === 0) {
      for (let i = 0; i < read.length; i++) this.budgetsKnown.learn(keys[i], reply[i + 1], now);
      return undefined;
    }
    const at = reply[0] - 1;
    const index = at < read.length ? read[at] : budgets.length + at - read.length;
    const slot = index >= budgets.length && takes[index - budgets.length].counter.spec.kind === 'concurrent';
    // A slot frees when a request ends, not when its key expires.
    return { index, state: { used: Math.max(0, reply[1]), msBeforeReset: !slot && reply[2] > 0 ? reply[2] : undefined } };
  }

  private async admitInMemory(budgets: readonly Held[], takes: readonly Held[]): Promise<Refusing | undefined> {
    if (budgets.length > 0) {
      const spent = await Promise.all(budgets.map((b) => b.counter.read(b.subject)));
      const over = spent.findIndex((state, i) => state.used >= budgets[i].counter.spec.points);
      if (over >= 0) return { index: over, state: spent[over] };
    }
    const taken = await Promise.allSettled(takes.map((t) => t.counter.take(t.subject, 1)));
    const over = taken.findIndex((r) => r.status === 'rejected' || r.value !== undefined);
    if (over < 0) return undefined;
    // All or nothing: what the other limits gave this request goes back.
    await Promise.all(takes.map((t, i) => (isTaken(taken[i]) ? t.counter.give(t.subject, 1) : undefined)));
    const refused = taken[over];
    if (refused.status === 'rejected') throw refused.reason;
    return { index: budgets.length + over, state: refused.value! };
  }

  /** Applies `changes` (slots and points given back, usage added): on Redis in one script, one round trip. Never throws. */
  async settle(changes: readonly Change[]): Promise<void> {
    if (changes.length === 0) return;
    if (!this.client) {
      await Promise.all(changes.map(({ counter, subject, n }) => (n < 0 ? counter.give(subject, -n) : counter.add(subject, n))));
      return;
    }
    const keys: string[] = [];
    const args: Array<string | number> = [];
    for (const { counter, subject, n } of changes) {
      keys.push(counter.key(subject));
      args.push(n, counter.ttlSec, counter.spec.kind === 'concurrent' ? 1 : 0);
    }
    let counts: number[];
    try {
      counts = await withTimeout(this.command(() => SETTLE_SCRIPT.run(this.client!, keys, args)), COMMAND_TIMEOUT_MS) as number[];
    } catch (err) {
      this.failed(err, undefined, false);
      return;
    }
    const now = Date.now();
    for (let i = 0; i < changes.length; i++) {
      const { kind } = changes[i].counter.spec;
      if (kind === 'tokens' || kind === 'spend') this.budgetsKnown.learn(keys[i], counts[i], now);
    }
  }

  /** Runs `command` once the client is connected (right after start-up it still connects; a client that is down fails at once). */
  command<T>(command: () => Promise<T>): Promise<T> {
    const client = this.client;
    // Not async: on the hot path (connected) the command's own promise is the only one made.
    if (client && (client.status === 'connecting' || client.status === 'connect')) return waitForConnection(client, COMMAND_TIMEOUT_MS).then(command);
    try {
      return command();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** A subject was forgotten before its window ended, to keep the counters' memory bounded: logged (throttled). */
  private evicted(): void {
    const suppressed = this.throttle.allow('limit memory');
    if (suppressed !== false) {
      this.logger.warn('the rate limits in memory are full: the oldest subjects are forgotten (their window starts again)', { suppressed });
    }
  }

  /** A command failed: counted and logged; `fallback` when failing open, else the refusal (or nothing, for writes that refuse nobody). */
  failed<T>(err: unknown, fallback: T, refuses = true): T {
    this.failures++;
    const suppressed = this.throttle.allow('limit store');
    if (suppressed !== false) {
      this.logger.warn('the rate limit store failed', { store: this.kind, failOpen: this.failOpen, error: errorMessage(err), suppressed });
    }
    if (refuses && !this.failOpen) throw STORE_UNAVAILABLE;
    return fallback;
  }

  async close(): Promise<void> {
    if (this.ownsClient && this.client) await quitClient(this.client);
  }
}
