/** The limits' counters: rate-limiter-flexible over Redis (shared by replicas) or process memory; a Redis failure fails open or closed. */
import type { Logger } from 'winston';
import type { Redis } from 'ioredis';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { Refusal } from '../../errors';
import { createOwnedClient, quitClient, waitForConnection, withTimeout } from '../../redis-client';
import { errorMessage } from '../../observability/logger';
import { FAILURE_LOG_INTERVAL_MS, LogThrottle } from '../../observability/log-throttle';
import type { LimitsConfig, MeterSpec } from './limit-options';

/** How long one Redis command may take before it counts as a failure (the request is not held longer). */
const COMMAND_TIMEOUT_MS = 1_000;
/**
 * Concurrency slots on Redis expire after this long without a request taking or giving one back, so that a replica
 * that died holding slots does not hold them for ever. In memory they never expire (the process that holds them is
 * the one that counts).
 */
const SHARED_SLOT_TTL_SEC = 3_600;

/**
 * rate-limiter-flexible's increment for concurrency slots: every take and give renews the expiry (a busy subject's
 * count never expires under requests in flight), and a give after an expiry stops at 0 instead of going negative
 * (which would let more requests in than the limit). ARGV: points, expiry in seconds.
 */
const SLOT_SCRIPT = `local consumed = redis.call('incrby', KEYS[1], ARGV[1])
if consumed < 0 then
  redis.call('set', KEYS[1], 0)
  consumed = 0
end
redis.call('expire', KEYS[1], ARGV[2])
return {consumed, redis.call('pttl', KEYS[1])}`;

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

/** One counter of one rule (its key prefix names the rule and the kind), per subject. */
export class Counter {
  constructor(private readonly limiter: RateLimiterAbstract, private readonly store: LimitStore, readonly spec: MeterSpec) {}

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

function isLimiterRes(v: unknown): v is RateLimiterRes {
  return !!v && typeof v === 'object' && typeof (v as RateLimiterRes).consumedPoints === 'number' && !(v instanceof Error);
}

function stateOf(res: RateLimiterRes): CounterState {
  return { used: Math.max(0, res.consumedPoints), msBeforeReset: res.msBeforeNext > 0 ? res.msBeforeNext : undefined };
}

/** Where the counters live, and what their failures cost: counted, logged (throttled), then open or closed. */
export class LimitStore {
  /** Store commands that failed or timed out. */
  failures = 0;
  private readonly throttle = new LogThrottle(FAILURE_LOG_INTERVAL_MS);
  private readonly client: Redis | undefined;
  private readonly ownsClient: boolean;
  /** A second connection for concurrency slots: rate-limiter-flexible defines its script per client, one script per client. */
  private slotClient: Redis | undefined;
  readonly kind: 'memory' | 'redis';
  private readonly failOpen: boolean;
  private readonly prefix: string;

  constructor(config: LimitsConfig['store'], private readonly logger: Logger) {
    this.kind = config ? 'redis' : 'memory';
    this.failOpen = config?.failOpen ?? true;
    this.prefix = config?.prefix ?? '';
    this.ownsClient = typeof config?.redis === 'string';
    this.client = config === undefined ? undefined : typeof config.redis === 'string' ? createOwnedClient(config.redis) : config.redis;
    // An owned client's connection errors are the failures counted here, not unhandled 'error' events.
    if (this.ownsClient) this.client!.on('error', () => {});
  }

  /** The counter of `spec` for rule `rule`. */
  counter(rule: string, spec: MeterSpec): Counter {
    // Loaded here, not at import: a bridge without limits never loads it.
    const flexible = require('rate-limiter-flexible') as typeof import('rate-limiter-flexible');
    const keyPrefix = `${this.prefix}${rule}:${spec.kind}`;
    const duration = spec.windowMs === undefined ? (this.client ? SHARED_SLOT_TTL_SEC : 0) : spec.windowMs / 1000;
    const options = { keyPrefix, points: spec.points, duration };
    if (!this.client) return new Counter(new flexible.RateLimiterMemory(options), this, spec);
    if (spec.kind !== 'concurrent') return new Counter(new flexible.RateLimiterRedis({ ...options, storeClient: this.client }), this, spec);
    if (!this.slotClient) {
      this.slotClient = this.client.duplicate();
      this.slotClient.on('error', () => {});
    }
    return new Counter(new flexible.RateLimiterRedis({ ...options, storeClient: this.slotClient, customIncrTtlLuaScript: SLOT_SCRIPT }), this, spec);
  }

  /** Runs `command` once the client is connected (right after start-up it still connects; a client that is down fails at once). */
  async command<T>(command: () => Promise<T>): Promise<T> {
    for (const client of [this.client, this.slotClient]) {
      if (client && (client.status === 'connecting' || client.status === 'connect')) await waitForConnection(client, COMMAND_TIMEOUT_MS);
    }
    return command();
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
    if (this.slotClient) await quitClient(this.slotClient);
    if (this.ownsClient && this.client) await quitClient(this.client);
  }
}
