/** RedisKeyStateStore against a real local Redis: shared state, atomic later-deadline, expiry, and fallback. */
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import type { Logger } from 'winston';
import { RedisKeyStateStore } from '../../lib/keypool/redis-key-state-store';
import { requireService, serviceAvailableSync } from '../helpers/services';

const HOST = '127.0.0.1';
const PORT = 6379;
const URL = `redis://${HOST}:${PORT}`;
const describeWithRedis = requireService('Redis', serviceAvailableSync(HOST, PORT));

function stubLogger(): Logger & { warn: jest.Mock; info: jest.Mock } {
  return { warn: jest.fn(), info: jest.fn(), error: jest.fn(), debug: jest.fn() } as unknown as Logger & {
    warn: jest.Mock;
    info: jest.Mock;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describeWithRedis('RedisKeyStateStore (real Redis)', () => {
  const prefix = `aibridge-test:${randomUUID()}:`;
  let admin: Redis;
  const stores: RedisKeyStateStore[] = [];
  const open = (options: ConstructorParameters<typeof RedisKeyStateStore>[0]): RedisKeyStateStore => {
    const store = new RedisKeyStateStore({ prefix, logger: stubLogger(), ...options });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    admin = new Redis(URL, { maxRetriesPerRequest: 1 });
    await admin.ping();
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  afterAll(async () => {
    try {
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.del(...keys);
    } finally {
      admin.disconnect(); // not quit(): it must also end a client that never connected
    }
  });

  it('shares state between instances: A marks, B sees', async () => {
    const a = open({ url: URL });
    const b = open({ client: admin });
    const until = Date.now() + 10_000;
    await a.markCooldown('fp-shared', { until, reason: 'rate_limited' });
    expect(await b.getCooldowns(['fp-other', 'fp-shared'])).toEqual([undefined, { until, reason: 'rate_limited' }]);
    expect(await admin.get(`${prefix}fp-shared`)).toBe(`${until}:rate_limited`);
  });

  it('keeps the latest deadline when marks race, and sets the TTL to match', async () => {
    const a = open({ url: URL });
    const b = open({ url: URL });
    const now = Date.now();
    const offsets = [4_000, 9_000, 2_000, 7_000, 8_500, 3_000, 6_000, 1_000];
    await Promise.all(
      offsets.map((offset, i) =>
        (i % 2 ? a : b).markCooldown('fp-race', { until: now + offset, reason: i === 1 ? 'unauthorized' : 'rate_limited' }),
      ),
    );
    const fresh = open({ client: admin });
    expect(await fresh.getCooldowns(['fp-race'])).toEqual([{ until: now + 9_000, reason: 'unauthorized' }]);
    const ttl = await admin.pttl(`${prefix}fp-race`);
    expect(ttl).toBeGreaterThan(8_000);
    expect(ttl).toBeLessThanOrEqual(9_000);

    await a.markCooldown('fp-race', { until: now + 5_000, reason: 'rate_limited' });
    expect(await fresh.getCooldowns(['fp-race'])).toEqual([{ until: now + 9_000, reason: 'unauthorized' }]);
  });

  it('forgets a cooldown once it has passed, in Redis too', async () => {
    const a = open({ url: URL });
    const b = open({ client: admin });
    await a.markCooldown('fp-short', { until: Date.now() + 150, reason: 'unauthorized' });
    expect((await b.getCooldowns(['fp-short']))[0]?.reason).toBe('unauthorized');
    await sleep(250);
    expect(await b.getCooldowns(['fp-short'])).toEqual([undefined]);
    expect(await admin.exists(`${prefix}fp-short`)).toBe(0);
  });

  it('reloads its script after Redis lost the script cache', async () => {
    const a = open({ url: URL });
    const until = Date.now() + 10_000;
    await a.markCooldown('fp-flush', { until: until - 1_000, reason: 'rate_limited' });
    await admin.script('FLUSH');
    await a.markCooldown('fp-flush', { until, reason: 'unauthorized' });
    expect(await admin.get(`${prefix}fp-flush`)).toBe(`${until}:unauthorized`);
  });

  it('concurrent reads of the same pool share one MGET, and all see the state', async () => {
    const client = new Redis(URL, { maxRetriesPerRequest: 1 });
    try {
      const store = new RedisKeyStateStore({ client, prefix });
      const until = Date.now() + 60_000;
      await admin.set(`${prefix}fp-coalesce`, `${until}:rate_limited`, 'PX', 60_000);
      const pool = ['fp-coalesce', 'fp-other'];
      await store.getCooldowns(pool); // connected and warm
      const mget = jest.spyOn(client, 'mget');
      const answers = await Promise.all(Array.from({ length: 10 }, () => store.getCooldowns(pool)));
      expect(mget).toHaveBeenCalledTimes(1);
      for (const a of answers) expect(a).toEqual([{ until, reason: 'rate_limited' }, undefined]);
      await store.getCooldowns(pool); // the next read after the shared one is a fresh command
      expect(mget).toHaveBeenCalledTimes(2);
      await store.close();
    } finally {
      client.disconnect();
    }
  });

  it('does not close a client it was given', async () => {
    const store = new RedisKeyStateStore({ client: admin, prefix });
    await store.close();
    expect(admin.status).toBe('ready');
  });

  it('rejects ambiguous or missing connection options, naming them', () => {
    expect(() => new RedisKeyStateStore({ url: URL, client: admin })).toThrow('RedisKeyStateStore: option `client` cannot be given with `url`');
    expect(() => new RedisKeyStateStore({})).toThrow('RedisKeyStateStore: option `url` or `client` is required');
    expect(() => new RedisKeyStateStore({ url: URL, timeoutMs: 0 })).toThrow('RedisKeyStateStore: option `timeoutMs` must be a positive integer');
  });
});

describeWithRedis('RedisKeyStateStore when Redis is unreachable', () => {
  it('never throws, serves from memory and warns once', async () => {
    const logger = stubLogger();
    const store = new RedisKeyStateStore({ url: 'redis://127.0.0.1:1', logger });
    try {
      const until = Date.now() + 5_000;
      await expect(store.markCooldown('fp-a', { until, reason: 'rate_limited' })).resolves.toBeUndefined();
      const reads = await Promise.all([1, 2, 3].map(() => store.getCooldowns(['fp-a', 'fp-b'])));
      for (const read of reads) expect(read).toEqual([{ until, reason: 'rate_limited' }, undefined]);
      await sleep(1_200); // long enough for ioredis to fail a reconnect attempt too
      await store.markCooldown('fp-b', { until, reason: 'unauthorized' });
      expect(await store.getCooldowns(['fp-b'])).toEqual([{ until, reason: 'unauthorized' }]);
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(logger.info).not.toHaveBeenCalled();
    } finally {
      await store.close();
    }
  });

  it('answers from memory within the timeout when Redis hangs', async () => {
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
      sockets.add(socket); // accept and never answer
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    const port = (server.address() as { port: number }).port;
    const client = new Redis({ host: HOST, port, enableReadyCheck: false, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    const logger = stubLogger();
    const store = new RedisKeyStateStore({ client, logger, timeoutMs: 100 });
    try {
      const until = Date.now() + 5_000;
      const started = Date.now();
      await store.markCooldown('fp-slow', { until, reason: 'rate_limited' });
      expect(await store.getCooldowns(['fp-slow'])).toEqual([{ until, reason: 'rate_limited' }]);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(logger.warn).toHaveBeenCalledTimes(1);
    } finally {
      await store.close();
      client.disconnect();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('writes cooldowns learned during the outage back to Redis when it returns, and says which store answers', async () => {
    const prefix = `aibridge-test:${randomUUID()}:`;
    const client = new Redis(URL, { lazyConnect: true });
    const admin = new Redis(URL, { maxRetriesPerRequest: 1 });
    const store = new RedisKeyStateStore({ client, logger: stubLogger(), prefix });
    try {
      await client.connect();
      expect(await store.getCooldowns(['fp-w'])).toEqual([undefined]);
      expect(store.source()).toBe('redis');
      client.disconnect();
      const until = Date.now() + 30_000;
      await store.markCooldown('fp-w', { until, reason: 'rate_limited' });
      expect(store.source()).toBe('redis-fallback-memory');
      expect(await admin.get(`${prefix}fp-w`)).toBeNull();
      await client.connect();
      expect(await store.getCooldowns(['fp-w'])).toEqual([{ until, reason: 'rate_limited' }]);
      expect(store.source()).toBe('redis');
      for (let i = 0; i < 100 && (await admin.get(`${prefix}fp-w`)) === null; i++) await sleep(20);
      expect(await admin.get(`${prefix}fp-w`)).toBe(`${until}:rate_limited`);
    } finally {
      await store.close();
      client.disconnect();
      await admin.del(`${prefix}fp-w`);
      admin.disconnect();
    }
  });

  it('logs once when Redis is back', async () => {
    const client = new Redis(URL, { lazyConnect: true });
    const logger = stubLogger();
    const store = new RedisKeyStateStore({ client, logger, prefix: `aibridge-test:${randomUUID()}:` });
    try {
      await client.connect();
      expect(await store.getCooldowns(['fp'])).toEqual([undefined]);
      client.disconnect();
      expect(await store.getCooldowns(['fp'])).toEqual([undefined]);
      expect(logger.warn).toHaveBeenCalledTimes(1);
      await client.connect();
      expect(await store.getCooldowns(['fp'])).toEqual([undefined]);
      expect(await store.getCooldowns(['fp'])).toEqual([undefined]);
      expect(logger.info).toHaveBeenCalledTimes(1);
    } finally {
      await store.close();
      client.disconnect();
    }
  });
});
