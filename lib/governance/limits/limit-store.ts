/** The limits' counters: rate-limiter-flexible over Redis (shared by replicas) or bounded process memory; a Redis failure fails open or closed. */
import type { Logger } from 'winston';
import type { Redis } from 'ioredis';

import { Refusal } from '../../errors';
import { createOwnedClient, quitClient, waitForConnection, withTimeout } from '../../redis-client';
import { errorMessage } from '../../observability/logger';
import { FAILURE_LOG_INTERVAL_MS, LogThrottle } from '../../observability/log-throttle';
import type { LimitsConfig, MeterSpec } from './limit-options';
import { ADMIT_BATCH_SCRIPT, SETTLE_SCRIPT } from './limit-scripts';
import { AdmissionBatch, type BatchKey } from './admission-batch';
import { SettleBatch } from './settle-batch';
import { BudgetCache } from './budget-cache';
import { MEMORY_BUDGET_BYTES, MemoryCounter } from './memory-counter';
import { COMMAND_TIMEOUT_MS, Counter, type CounterHost, type CounterState } from './counter';

export { Counter, type CounterState } from './counter';

/**
 * Concurrency slots on Redis expire after this long without a request taking or giving one back, so that a replica
 * that died holding slots does not hold them for ever. In memory they never expire (the process that holds them is
 * the one that counts): a subject is forgotten when it holds none.
 */
const SHARED_SLOT_TTL_SEC = 3_600;

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

/** A take that got its point (as opposed to one refused, or one the store failed). */
function isTaken(r: PromiseSettledResult<unknown>): boolean {
  return r.status === 'fulfilled' && r.value === undefined;
}

/** Where the counters live, and what their failures cost: counted, logged (throttled), then open or closed. */
export class LimitStore implements CounterHost {
  /** Store commands that failed or timed out. */
  failures = 0;
  private readonly throttle = new LogThrottle(FAILURE_LOG_INTERVAL_MS);
  private readonly client: Redis | undefined;
  private readonly ownsClient: boolean;
  /** On Redis: budgets recently seen far from spent, not read again at admission. */
  private readonly budgetsKnown = new BudgetCache();
  /** On Redis: the admissions, and the ends, of one event-loop turn, each sent as one script call. */
  private readonly admissions: AdmissionBatch | undefined;
  private readonly settlements: SettleBatch | undefined;
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
    // No auto-pipelining: the admissions and ends of one turn already go as one command each, and a read must not
    // overtake the batch sent just before it (ioredis sends a MULTI at once, auto-pipelined commands a tick later).
    this.client = config === undefined ? undefined : typeof config.redis === 'string' ? createOwnedClient(config.redis) : config.redis;
    // An owned client's connection errors are the failures counted here, not unhandled 'error' events.
    if (this.ownsClient) this.client!.on('error', () => {});
    if (this.client) {
      const learn = (key: string, used: number) => this.budgetsKnown.learn(key, used, Date.now());
      this.admissions = new AdmissionBatch((keyCount, parts) => this.runScript(ADMIT_BATCH_SCRIPT, keyCount, parts), learn);
      this.settlements = new SettleBatch((keyCount, parts) => this.runScript(SETTLE_SCRIPT, keyCount, parts), learn);
    }
  }

  private runScript(script: typeof SETTLE_SCRIPT, keyCount: number, parts: ReadonlyArray<ReadonlyArray<string | number>>): Promise<unknown> {
    return withTimeout(this.command(() => script.run(this.client!, keyCount, parts)), COMMAND_TIMEOUT_MS);
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
   * undefined when admitted, else the counter that refused. On Redis, with the other admissions of this turn of the
   * event loop in one script call (each admitted in order, all or nothing); in memory, the counters one by one.
   */
  async admit(budgets: readonly Held[], takes: readonly Held[]): Promise<Refusing | undefined> {
    if (!this.admissions) return this.admitInMemory(budgets, takes);
    const now = Date.now();
    const keys: BatchKey[] = [];
    /** The indexes of the budgets read. */
    const read: number[] = [];
    for (let i = 0; i < budgets.length; i++) {
      const { counter, subject } = budgets[i];
      const key = counter.batchKey(subject);
      if (this.budgetsKnown.skips(key.key, key.points, now)) continue;
      read.push(i);
      keys.push(key);
    }
    // Nothing to take and no budget to read: nothing to wait for.
    if (keys.length === 0 && takes.length === 0) return undefined;
    for (const { counter, subject } of takes) keys.push(counter.batchKey(subject));
    let refusal;
    try {
      refusal = await this.admissions.admit(keys);
    } catch (err) {
      return this.failed(err, undefined);
    }
    if (refusal === undefined) return undefined;
    const at = refusal.at - 1;
    const index = at < read.length ? read[at] : budgets.length + at - read.length;
    const slot = keys[at].kind === 's';
    // A slot frees when a request ends, not when its key expires.
    return { index, state: { used: Math.max(0, refusal.used), msBeforeReset: !slot && refusal.pttl > 0 ? refusal.pttl : undefined } };
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

  /** Applies `changes` (slots and points given back, usage added): on Redis with the other ends of this turn, in one script. Never throws. */
  async settle(changes: readonly Change[]): Promise<void> {
    if (changes.length === 0) return;
    if (!this.settlements) {
      await Promise.all(changes.map(({ counter, subject, n }) => (n < 0 ? counter.give(subject, -n) : counter.add(subject, n))));
      return;
    }
    try {
      await this.settlements.settle(changes.map(({ counter, subject, n }) => counter.keyChange(subject, n)));
    } catch (err) {
      this.failed(err, undefined, false);
    }
  }

  /** Sends the admissions and ends waiting for the turn's end now, so that a read sent next sees them (one connection keeps the order). */
  sendPending(): void {
    this.admissions?.flush();
    this.settlements?.flush();
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
