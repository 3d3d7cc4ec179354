/** Key cooldowns shared across two gateway instances through RedisKeyStateStore, and the fallback when Redis is down. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { openaiProvider, RedisKeyStateStore } from '../../lib';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { startGateway, type Gateway } from '../helpers/gateway';
import { memoryLogger } from '../helpers/mcp-context';
import { bearer, keyedUpstream, keysSeen, leakedSecrets } from '../helpers/keyed-upstream';
import { requireService, serviceAvailableSync } from '../helpers/services';

const HOST = '127.0.0.1';
const PORT = 6379;
const URL = `redis://${HOST}:${PORT}`;
const describeWithRedis = requireService('Redis', serviceAvailableSync(HOST, PORT));

const KEYS = ['sk-redis-one-aaaaaaaaaa1111', 'sk-redis-two-bbbbbbbbbb2222'];
const [K1, K2] = KEYS;
const CHAT = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describeWithRedis('key pool shared through Redis', () => {
  const root = `aibridge-test:key-pool:${randomUUID()}:`;
  let admin: Redis;
  let upstream: FakeUpstream;
  let gateways: Gateway[] = [];
  let stores: RedisKeyStateStore[] = [];

  beforeAll(async () => {
    admin = new Redis(URL, { maxRetriesPerRequest: 1 });
    await admin.ping();
    upstream = await startFakeOpenAI();
  });
  beforeEach(() => {
    upstream.requests.length = 0;
    upstream.behaviour = undefined;
  });
  afterEach(async () => {
    const opened = gateways;
    gateways = [];
    await Promise.all(opened.map((gw) => gw.close()));
    await Promise.all(stores.splice(0).map((store) => store.close()));
    for (const gw of opened) expect(leakedSecrets(gw.logs.lines.join('\n') + JSON.stringify(gw.recorder.interceptionEnds), KEYS)).toEqual([]);
  });
  afterAll(async () => {
    try {
      const leftovers = await admin.keys(`${root}*`);
      if (leftovers.length > 0) await admin.del(...leftovers);
    } finally {
      admin.disconnect();
      await upstream?.close();
    }
  });

  /** A gateway over the shared fake upstream whose key state lives in its own store object. */
  async function instance(store: RedisKeyStateStore): Promise<Gateway> {
    stores.push(store);
    const gw = await startGateway({ providers: [openaiProvider({ baseURL: upstream.url, keys: [...KEYS] })], keyState: store });
    gateways.push(gw);
    return gw;
  }

  /** Two gateway instances, each with its own RedisKeyStateStore on the same (per-test) prefix. */
  async function twoReplicas(): Promise<{ a: Gateway; b: Gateway; prefix: string }> {
    const prefix = `${root}${randomUUID()}:`;
    const a = await instance(new RedisKeyStateStore({ url: URL, prefix }));
    const b = await instance(new RedisKeyStateStore({ url: URL, prefix }));
    return { a, b, prefix };
  }

  async function chat(gw: Gateway): Promise<number> {
    const res = await fetch(`${gw.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' },
      body: CHAT,
    });
    await res.text();
    return res.status;
  }

  test('a 429 seen by instance A makes instance B skip that key', async () => {
    upstream.behaviour = keyedUpstream({ [bearer(K1)]: { status: 429, headers: { 'retry-after': '30' } } });
    const { a, b, prefix } = await twoReplicas();

    expect(await chat(a)).toBe(200);
    expect(keysSeen(upstream.requests)).toEqual([K1, K2]);

    // The shared state is in Redis, named by fingerprint, without key material.
    const stored = await admin.keys(`${prefix}*`);
    expect(stored).toHaveLength(1);
    const value = await admin.get(stored[0]);
    expect(value).toMatch(/^\d+:rate_limited$/);
    expect(leakedSecrets(stored[0] + value, KEYS)).toEqual([]);

    upstream.requests.length = 0;
    expect(await chat(b)).toBe(200);
    expect(keysSeen(upstream.requests)).toEqual([K2]);
    const [status] = await b.bridge.keyPoolStatus();
    expect(status.store).toBe('redis');
    expect(status.keys).toEqual([
      { hint: 'sk-r...1111', state: 'cooling', reason: 'rate_limited', coolingUntil: expect.any(Date) },
      { hint: 'sk-r...2222', state: 'healthy' },
    ]);
    expect(status.keys[0].coolingUntil!.getTime()).toBeGreaterThan(Date.now() + 25_000);
  });

  test('a request-caused 429 (request too large) writes nothing to Redis: instance B still starts with key one', async () => {
    const tooLarge = { error: { message: 'Request too large for gpt-4o in organization org-abc on tokens per min (TPM): Limit 30000, Requested 52000.', type: 'tokens', param: null, code: 'rate_limit_exceeded' } };
    upstream.behaviour = keyedUpstream({ [bearer(K1)]: [{ status: 429, headers: { 'retry-after': '86400' }, body: tooLarge }] });
    const { a, b, prefix } = await twoReplicas();

    expect(await chat(a)).toBe(429);
    expect(keysSeen(upstream.requests)).toEqual([K1]);
    expect(await admin.keys(`${prefix}*`)).toEqual([]);
    expect(await chat(b)).toBe(200);
    expect(keysSeen(upstream.requests)).toEqual([K1, K1]);
    expect((await b.bridge.keyPoolStatus())[0].keys.map((k) => k.state)).toEqual(['healthy', 'healthy']);
  });

  test('once the cooldown has passed, both instances use key one again', async () => {
    upstream.behaviour = keyedUpstream({ [bearer(K1)]: [{ status: 429, headers: { 'retry-after-ms': '300' } }] });
    const { a, b } = await twoReplicas();

    expect(await chat(a)).toBe(200);
    expect(keysSeen(upstream.requests)).toEqual([K1, K2]);
    upstream.requests.length = 0;
    expect(await chat(b)).toBe(200);
    expect(keysSeen(upstream.requests)).toEqual([K2]);

    await sleep(400);
    upstream.requests.length = 0;
    expect(await chat(b)).toBe(200);
    expect(await chat(a)).toBe(200);
    expect(keysSeen(upstream.requests)).toEqual([K1, K1]);
    expect((await b.bridge.keyPoolStatus())[0].keys.map((k) => k.state)).toEqual(['healthy', 'healthy']);
  });

  test('with Redis unreachable, requests still succeed and failover still works from process memory', async () => {
    upstream.behaviour = keyedUpstream({ [bearer(K1)]: { status: 429, headers: { 'retry-after': '30' } } });
    const { logger, entries } = memoryLogger();
    const gw = await instance(new RedisKeyStateStore({ url: 'redis://127.0.0.1:1', prefix: `${root}down:`, logger }));

    expect(await chat(gw)).toBe(200);
    expect(keysSeen(upstream.requests)).toEqual([K1, K2]);
    upstream.requests.length = 0;
    expect(await chat(gw)).toBe(200);
    expect(keysSeen(upstream.requests)).toEqual([K2]);
    const [status] = await gw.bridge.keyPoolStatus();
    expect(status.keys.map((k) => k.state)).toEqual(['cooling', 'healthy']);
    expect(status.store).toBe('redis-fallback-memory');
    expect(entries.map((e) => e.message)).toContain('aibridge: Redis key state store unavailable; using in-process key state until it is back');
  });
});
