/** A KeyStateStore in Redis, so replicas share key cooldowns; serves from process memory while Redis is unreachable. */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'winston';
import { createDefaultLogger, errorMessage } from '../observability/logger';
import { createOwnedClient, quitClient, waitForConnection, withTimeout } from '../redis-client';
import { MemoryKeyStateStore } from './memory-key-state-store';
import { OptionsError, isPlainObject, optionalPositiveInt, rejectTogether, rejectUnknownKeys } from '../options-check';
import type { CooldownReason, KeyCooldown, KeyStateSource, KeyStateStore } from './types';

/** Options for {@link RedisKeyStateStore}. Give exactly one of `url` or `client`. */
export interface RedisKeyStateStoreOptions {
  /** ioredis URL (`redis://…`, `rediss://…`); the store creates the client, owns it and quits it on `close()`. Defaults to none. */
  url?: string;
  /** An ioredis client you manage; the store uses it and never closes it. Defaults to none. */
  client?: Redis;
  /** Prefix of every Redis key the store writes (`<prefix><fingerprint>`). Defaults to `'aibridge:key:'`. */
  prefix?: string;
  /** Where the fallback warning and the recovery notice go. Defaults to a console logger at `warn` (JSON lines on stderr). */
  logger?: Logger;
  /** Longest a call waits for Redis before answering from memory, in milliseconds. Defaults to `250`. */
  timeoutMs?: number;
}

const DEFAULTS = { prefix: 'aibridge:key:', timeoutMs: 250 } as const;
// While degraded, at most one request per interval pays for probing Redis; the rest go straight to memory.
const PROBE_INTERVAL_MS = 1000;
const REASONS: readonly CooldownReason[] = ['rate_limited', 'unauthorized'];

// One round trip, atomic: two replicas racing to cool the same key must end with the later deadline.
const MARK_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current then
  local currentUntil = tonumber(string.match(current, '^([^:]+):'))
  if currentUntil and currentUntil >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2], 'PX', ARGV[3])
return 1
`;
const MARK_SCRIPT_SHA = createHash('sha1').update(MARK_SCRIPT).digest('hex');

const OWNER = 'RedisKeyStateStore';

/** Checked like createBridge's options: unknown keys named, exactly one of `url` and `client`. */
function checkRedisOptions(options: unknown): asserts options is RedisKeyStateStoreOptions {
  if (!isPlainObject(options)) throw new OptionsError(OWNER, 'options', 'must be an object.');
  rejectUnknownKeys(OWNER, options, ['url', 'client', 'prefix', 'logger', 'timeoutMs'], '', { connectionString: 'url', uri: 'url', redis: 'client' });
  rejectTogether(OWNER, options, 'url', 'client');
  const { url, client, prefix } = options;
  if (url === undefined && client === undefined) throw new OptionsError(OWNER, 'url', "or `client` is required (e.g. { url: 'redis://127.0.0.1:6379' }).");
  if (url !== undefined && (typeof url !== 'string' || url === '')) throw new OptionsError(OWNER, 'url', 'must be a non-empty URL string.');
  if (client !== undefined && typeof (client as { mget?: unknown } | null)?.mget !== 'function') {
    throw new OptionsError(OWNER, 'client', 'must be an ioredis client (new Redis(...)).');
  }
  if (prefix !== undefined && typeof prefix !== 'string') throw new OptionsError(OWNER, 'prefix', 'must be a string.');
  optionalPositiveInt(OWNER, 'timeoutMs', options.timeoutMs, DEFAULTS.timeoutMs);
}

/**
 * Key cooldowns in Redis: one key per fingerprint holding `"<until>:<reason>"`, expiring with the cooldown.
 * Never throws from `getCooldowns`/`markCooldown`: when Redis fails or is slower than `timeoutMs`, answers
 * come from an in-memory store that every write also goes to, so this replica keeps what it learned. Cooldowns
 * that did not reach Redis are written there once it answers again, so other replicas learn them too.
 */
export class RedisKeyStateStore implements KeyStateStore {
  private readonly client: Redis;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly logger: Logger;
  private readonly memory = new MemoryKeyStateStore();
  private readonly reads = new Map<readonly string[], Promise<Array<string | null> | undefined>>();
  private readonly redisKeys = new WeakMap<readonly string[], string[]>();
  // Fingerprints whose cooldown reached memory but not Redis; written back on recovery.
  private readonly unsynced = new Set<string>();
  private degraded = false;
  private retryAt = 0;
  private closed = false;

  constructor(options: RedisKeyStateStoreOptions) {
    checkRedisOptions(options);
    const { url, client, prefix = DEFAULTS.prefix, timeoutMs = DEFAULTS.timeoutMs, logger } = options;

    this.prefix = prefix;
    this.timeoutMs = timeoutMs;
    this.logger = logger ?? createDefaultLogger();
    this.ownsClient = client === undefined;
    this.client = client ?? createOwnedClient(url as string);
    // Without an 'error' listener ioredis prints every failed reconnect; ours turns it into one warning.
    if (this.ownsClient) this.client.on('error', (err: unknown) => this.degrade(err));
    this.client.on('ready', this.onClientReady);
  }

  async getCooldowns(fingerprints: readonly string[]): Promise<Array<KeyCooldown | undefined>> {
    const local = this.memory.getCooldowns(fingerprints);
    if (fingerprints.length === 0 || !this.redisUsable()) return local;
    const values = await this.readRemote(fingerprints);
    if (!values) return local;

    const now = Date.now();
    return fingerprints.map((fingerprint, i) => {
      const remote = parseStored(values[i], now);
      // Remember what other replicas know, so it survives a later Redis outage.
      if (remote) this.memory.markCooldown(fingerprint, remote);
      return later(remote, local[i]);
    });
  }

  /**
   * One MGET per pool at a time: concurrent requests share the read in flight (its answer is at most one round
   * trip old, as a fresh one would be), so Redis costs one command per round trip, not one per request.
   */
  private readRemote(fingerprints: readonly string[]): Promise<Array<string | null> | undefined> {
    let pending = this.reads.get(fingerprints);
    if (!pending) {
      let keys = this.redisKeys.get(fingerprints);
      if (!keys) {
        keys = fingerprints.map((fp) => this.prefix + fp);
        this.redisKeys.set(fingerprints, keys);
      }
      const redisKeys = keys;
      const read = this.attempt(() => this.client.mget(redisKeys));
      pending = read;
      this.reads.set(fingerprints, read);
      void read.finally(() => this.reads.delete(fingerprints));
    }
    return pending;
  }

  async markCooldown(fingerprint: string, cooldown: KeyCooldown): Promise<void> {
    this.memory.markCooldown(fingerprint, cooldown);
    const ttlMs = Math.ceil(cooldown.until - Date.now());
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) return;
    if (!this.redisUsable() || (await this.attempt(() => this.runMarkScript(fingerprint, cooldown, ttlMs))) === undefined) {
      this.unsynced.add(fingerprint);
    }
  }

  /** `'redis'` while Redis answers, `'redis-fallback-memory'` while this replica serves from its own memory. */
  source(): KeyStateSource {
    return this.degraded ? 'redis-fallback-memory' : 'redis';
  }

  /** Stops using Redis; quits the client only if the store created it from `url`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.off('ready', this.onClientReady);
    if (!this.ownsClient) return;
    await quitClient(this.client);
  }

  private readonly onClientReady = (): void => {
    // Reconnected: let the next call probe right away instead of waiting out the interval.
    this.retryAt = 0;
  };

  private redisUsable(): boolean {
    if (this.closed) return false;
    const status = this.client.status;
    if (status === 'end') {
      this.degrade(new Error('Redis connection was closed'));
      return false;
    }
    if (!this.degraded) return true;
    return (status === 'ready' || status === 'wait') && Date.now() >= this.retryAt;
  }

  private async attempt<T>(operation: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await withTimeout(this.waitForConnection().then(operation), this.timeoutMs);
      this.recover();
      return result;
    } catch (err) {
      this.degrade(err);
      return undefined;
    }
  }

  private async runMarkScript(fingerprint: string, cooldown: KeyCooldown, ttlMs: number): Promise<unknown> {
    const args = [this.prefix + fingerprint, String(cooldown.until), cooldown.reason, String(ttlMs)];
    try {
      return await this.client.evalsha(MARK_SCRIPT_SHA, 1, ...args);
    } catch (err) {
      // The script cache is empty after a Redis restart or failover; EVAL loads it again.
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return this.client.eval(MARK_SCRIPT, 1, ...args);
    }
  }

  private waitForConnection(): Promise<void> {
    return waitForConnection(this.client, this.timeoutMs);
  }

  /** The ioredis client this store uses, so that other shared state (response ownership) reuses its connection. */
  redisClient(): Redis {
    return this.client;
  }

  private degrade(err: unknown): void {
    if (this.closed) return;
    this.retryAt = Date.now() + PROBE_INTERVAL_MS;
    if (this.degraded) return;
    this.degraded = true;
    this.logger.warn('aibridge: Redis key state store unavailable; using in-process key state until it is back', {
      error: errorMessage(err),
    });
  }

  private recover(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.logger.info('aibridge: Redis key state store reachable again; key state is shared across replicas');
    void this.writeBack();
  }

  /** Writes the cooldowns learned during the outage; the script keeps whichever deadline is later. */
  private async writeBack(): Promise<void> {
    const pending = [...this.unsynced];
    this.unsynced.clear();
    const current = this.memory.getCooldowns(pending);
    for (let i = 0; i < pending.length; i++) {
      const cooldown = current[i];
      const ttlMs = cooldown ? Math.ceil(cooldown.until - Date.now()) : 0;
      if (!cooldown || ttlMs <= 0) continue;
      const written = await this.attempt(() => this.runMarkScript(pending[i], cooldown, ttlMs));
      if (written === undefined) {
        // Down again: keep the rest for the next recovery.
        for (const fingerprint of pending.slice(i)) this.unsynced.add(fingerprint);
        return;
      }
    }
  }
}

function parseStored(value: string | null | undefined, now: number): KeyCooldown | undefined {
  if (!value) return undefined;
  const separator = value.indexOf(':');
  if (separator < 0) return undefined;
  const until = Number(value.slice(0, separator));
  const reason = value.slice(separator + 1) as CooldownReason;
  if (!(until > now) || !REASONS.includes(reason)) return undefined;
  return { until, reason };
}

function later(a: KeyCooldown | undefined, b: KeyCooldown | undefined): KeyCooldown | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.until >= b.until ? a : b;
}
