/** An OwnershipStore in Redis: shared by replicas, kept across restarts, each id expiring with the upstream's retention. */
import type { Redis } from 'ioredis';
import type { Logger } from 'winston';
import { createOwnedClient, quitClient, waitForConnection, withTimeout } from '../redis-client';
import { createDefaultLogger, errorMessage } from '../observability/logger';
import { OptionsError, isPlainObject, optionalPositiveInt, rejectUnknownKeys } from '../options-check';
import { ownedKey } from './memory-ownership-store';
import type { OwnedRef, Ownership, OwnershipEntry, OwnershipStore } from './types';

/** Options of {@link RedisOwnershipStore}. Give exactly one of `url` or `client`. */
export interface RedisOwnershipStoreOptions {
  /** ioredis URL (`redis://…`); the store creates the client, owns it and quits it on `close()`. Defaults to none. */
  url?: string;
  /** An ioredis client you manage (e.g. the one of your `RedisKeyStateStore`); never closed by the store. Defaults to none. */
  client?: Redis;
  /** Prefix of every Redis key (`<prefix><provider>:<kind>:<id>`). Defaults to `'aibridge:owner:'`. */
  prefix?: string;
  /** How long an owner is kept, in seconds: OpenAI keeps stored responses 30 days. Defaults to 2,592,000 (30 days). */
  ttlSeconds?: number;
  /** Longest a read or write waits for Redis before it fails (and the request with it), in ms. Defaults to 1,000. */
  timeoutMs?: number;
  /** Where a lost connection is reported. Defaults to the quiet winston logger. */
  logger?: Logger;
}

export const REDIS_OWNERSHIP_DEFAULTS = { prefix: 'aibridge:owner:', ttlSeconds: 30 * 24 * 3600, timeoutMs: 1_000 };
const KNOWN = ['url', 'client', 'prefix', 'ttlSeconds', 'timeoutMs', 'logger'];

/**
 * One Redis string per id, `{"o":owner,"c":continueFrom}`, written with `SET … EX` inside one MULTI so the
 * entries of one answer land together. Unlike the key state store there is no memory fallback: an owner only
 * this replica knows would be refused by the others, so a failure surfaces and the request fails closed.
 */
export class RedisOwnershipStore implements OwnershipStore {
  private readonly client: Redis;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private readonly ttlSeconds: number;
  private readonly timeoutMs: number;
  private closed = false;

  constructor(options: RedisOwnershipStoreOptions) {
    const owner = 'RedisOwnershipStore';
    if (!isPlainObject(options)) throw new OptionsError(owner, 'options', "must be an object ({ url } or { client }).");
    rejectUnknownKeys(owner, options as unknown as Record<string, unknown>, KNOWN);
    const { url, client, prefix = REDIS_OWNERSHIP_DEFAULTS.prefix, logger } = options as RedisOwnershipStoreOptions;
    if ((url === undefined) === (client === undefined)) throw new OptionsError(owner, 'url', `or \`client\`: give exactly one (got ${url === undefined ? 'neither' : 'both'}).`);
    if (url !== undefined && (typeof url !== 'string' || url === '')) throw new OptionsError(owner, 'url', 'must be a non-empty URL string.');
    if (client !== undefined && typeof (client as { multi?: unknown }).multi !== 'function') throw new OptionsError(owner, 'client', 'must be an ioredis client (new Redis(...)).');
    if (typeof prefix !== 'string') throw new OptionsError(owner, 'prefix', 'must be a string.');
    this.prefix = prefix;
    this.ttlSeconds = optionalPositiveInt(owner, 'ttlSeconds', options.ttlSeconds, REDIS_OWNERSHIP_DEFAULTS.ttlSeconds);
    this.timeoutMs = optionalPositiveInt(owner, 'timeoutMs', options.timeoutMs, REDIS_OWNERSHIP_DEFAULTS.timeoutMs);
    this.ownsClient = client === undefined;
    this.client = client ?? createOwnedClient(url as string);
    if (this.ownsClient) {
      const log = logger ?? createDefaultLogger();
      let down = false;
      // Without an 'error' listener ioredis prints every failed reconnect; one warning per outage is enough.
      this.client.on('error', (err: unknown) => {
        if (!down) log.warn('aibridge: Redis ownership store unavailable; requests that create or name stored ids fail until it is back', { error: errorMessage(err) });
        down = true;
      });
      this.client.on('ready', () => (down = false));
    }
  }

  async setOwners(entries: readonly OwnershipEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const multi = this.client.multi();
    for (const e of entries) {
      multi.set(this.prefix + ownedKey(e), JSON.stringify(e.continueFrom === undefined ? { o: e.owner } : { o: e.owner, c: e.continueFrom }), 'EX', this.ttlSeconds);
    }
    const results = await this.run(() => multi.exec());
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('Redis discarded the ownership transaction');
  }

  async getOwner(ref: OwnedRef): Promise<Ownership | undefined> {
    const value = await this.run(() => this.client.get(this.prefix + ownedKey(ref)));
    if (value === null) return undefined;
    const parsed = JSON.parse(value) as { o?: unknown; c?: unknown };
    if (typeof parsed.o !== 'string') return undefined;
    return typeof parsed.c === 'string' ? { owner: parsed.o, continueFrom: parsed.c } : { owner: parsed.o };
  }

  /** Quits the client only if the store created it from `url`. */
  async close(): Promise<void> {
    if (this.closed || !this.ownsClient) return;
    this.closed = true;
    await quitClient(this.client);
  }

  private run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the Redis ownership store is closed'));
    return withTimeout(waitForConnection(this.client, this.timeoutMs).then(operation), this.timeoutMs);
  }
}
