// Limits on the real Redis: two bridges share the counters; concurrency exactly at the limit; Redis lost behind a proxy fails open or closed.
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import winston from 'winston';
import { openaiProvider, type BridgeOptions, type LimitStoreOptions } from '../../lib';
import { LimitStore } from '../../lib/governance/limits/limit-store';
import { chatScript } from '../helpers/chat-script';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';
import { header, holdAnswers, openaiClient, refusal, teamActor, until } from '../helpers/limits';
import { requireService, serviceAvailableSync } from '../helpers/services';

const HOST = '127.0.0.1';
const PORT = 6379;
const REDIS_URL = `redis://${HOST}:${PORT}`;

/** A TCP proxy in front of Redis that the test can stop, cutting every connection through it. */
async function startProxy(): Promise<{ url: string; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const redis = connect({ host: HOST, port: PORT });
    for (const s of [client, redis]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(redis).pipe(client);
    client.on('close', () => redis.destroy());
    redis.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://${HOST}:${port}`,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

requireService('Redis', serviceAvailableSync(HOST, PORT))('limits on Redis', () => {
  let upstream: FakeUpstream;
  let admin: Redis;
  const gateways: Gateway[] = [];
  let prefix: string;

  beforeAll(async () => {
    upstream = await startFakeOpenAI();
    admin = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await upstream.close();
    await admin.quit();
  });
  beforeEach(() => {
    prefix = `aibridge-test:limits:${randomUUID()}:`;
  });
  afterEach(async () => {
    upstream.behaviour = undefined;
    upstream.requests.length = 0;
    await Promise.all(gateways.splice(0).map((g) => g.close()));
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
  });

  async function gateway(limits: BridgeOptions['limits'], store: Partial<LimitStoreOptions> = {}): Promise<Gateway> {
    const g = await startGateway({
      actor: teamActor,
      providers: [openaiProvider({ baseURL: upstream.url, keys: ['sk-limits-redis-00000000001'] })],
      limits,
      limitStore: { redis: REDIS_URL, prefix, ...store },
    });
    gateways.push(g);
    return g;
  }

  const chat = (g: Gateway, token?: string) => openaiClient(g.url, token).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

  test('two bridges sharing a prefix share the counters: requests per window across replicas', async () => {
    const limits: BridgeOptions['limits'] = [{ name: 'shared', per: 'actor', requests: { points: 3, windowMs: 60_000 } }];
    const a = await gateway(limits);
    const b = await gateway(limits);
    await chat(a);
    await chat(b);
    await chat(a);
    expect((await refusal(chat(b))).error.code).toBe('limit_exceeded');
    expect((await refusal(chat(a))).error.code).toBe('limit_exceeded');
    expect(upstream.requests).toHaveLength(3);
    for (const g of [a, b]) {
      expect(await g.bridge.usageOf('alice')).toEqual([expect.objectContaining({ name: 'shared', used: 3, remaining: 0, resetsAt: expect.any(Date) })]);
    }
    expect(await admin.keys(`${prefix}shared:requests:*`)).toEqual([`${prefix}shared:requests:alice`]);
  });

  test('concurrency exactly at the limit across two bridges: of six at once, three go upstream', async () => {
    const limits: BridgeOptions['limits'] = [{ per: 'group', groupOf: 'team', concurrent: 3 }];
    const a = await gateway(limits);
    const b = await gateway(limits);
    const hold = holdAnswers(upstream);
    let refused = 0;
    const results = Promise.all([a, b, a, b, a, b].map((g, i) => chat(g, i % 2 ? 'tok-bob' : 'tok-alice').then(() => 200, (err: { status: number }) => {
      refused++;
      return err.status;
    })));
    await until(() => hold.state.held === 3 && refused === 3);
    hold.release();
    const statuses = await results;
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    upstream.behaviour = undefined;
    await eventually(async () => expect(await admin.get(`${prefix}limit-1:concurrent:red`)).toBe('0'));
  });

  test('a concurrency count renews its expiry on every take and give, and never goes below zero after it expired', async () => {
    const g = await gateway([{ name: 'slots', per: 'actor', concurrent: 1 }]);
    const key = `${prefix}slots:concurrent:alice`;
    const holdOne = async (meanwhile: () => Promise<unknown>) => {
      const hold = holdAnswers(upstream);
      const answer = chat(g);
      await until(() => hold.state.held === 1);
      expect(await admin.get(key)).toBe('1');
      await meanwhile();
      hold.release();
      await answer;
      upstream.behaviour = undefined;
    };
    // The give at the end of the request renews the expiry.
    await holdOne(() => admin.expire(key, 5));
    await eventually(async () => expect(await admin.get(key)).toBe('0'));
    expect(await admin.ttl(key)).toBeGreaterThan(3_590);
    // The count expires while a request still holds its slot: its give stops at zero.
    await holdOne(() => admin.del(key));
    await eventually(async () => expect(await admin.get(key)).toBe('0'));
    await chat(g);
    expect((await g.bridge.usageOf('alice'))[0]).toMatchObject({ kind: 'concurrent', used: 0, remaining: 1 });
  });

  test('a concurrency refusal asks to retry in a second, not when the slot count would expire', async () => {
    const g = await gateway([{ name: 'slots', per: 'actor', concurrent: 1 }]);
    const hold = holdAnswers(upstream);
    const first = chat(g);
    await until(() => hold.state.held === 1);
    const refused = await refusal(chat(g));
    hold.release();
    await first;
    expect(refused.status).toBe(429);
    expect(refused.error).toMatchObject({ code: 'limit_exceeded' });
    expect(header(refused.headers, 'retry-after')).toBe('1');
  });

  test('tokens spent through one bridge refuse the next request on the other', async () => {
    const limits: BridgeOptions['limits'] = [{ name: 'tok', per: 'actor', tokens: { points: 25, windowMs: 60_000 } }];
    const a = await gateway(limits);
    const b = await gateway(limits);
    upstream.behaviour = chatScript([{ text: 'ok', usage: { prompt_tokens: 10, completion_tokens: 5 } }]);
    await chat(a);
    await chat(b);
    await eventually(async () => expect(await admin.get(`${prefix}tok:tokens:alice`)).toBe('30'));
    expect((await refusal(chat(a))).error.code).toBe('budget_exceeded');
  });

  test('one command at admission and one at the end; a budget learned far from spent is not read again within a second', async () => {
    const client = new Redis(REDIS_URL);
    const scripts: string[] = [];
    const evalsha = client.evalsha.bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as { evalsha: (...args: unknown[]) => Promise<unknown> }).evalsha = (...args) => {
      scripts.push(String(args[0]));
      return evalsha(...args);
    };
    try {
      const g = await gateway([
        { name: 'rpm', per: 'actor', requests: { points: 100, windowMs: 60_000 }, concurrent: 5 },
        { name: 'tok', per: 'actor', tokens: { points: 1_000, windowMs: 60_000 } },
      ], { redis: client });
      const noTakes = await gateway([{ name: 'tok2', per: 'actor', tokens: { points: 1_000, windowMs: 60_000 } }], { redis: client });
      upstream.behaviour = chatScript([{ text: 'ok', usage: { prompt_tokens: 10, completion_tokens: 5 } }]);
      for (let i = 0; i < 3; i++) await chat(g);
      await eventually(async () => expect(await admin.get(`${prefix}tok:tokens:alice`)).toBe('45'));
      // Per request: one admission (budget read, request point and slot taken together), one end (slot and usage).
      expect(scripts).toHaveLength(6);
      expect(new Set(scripts).size).toBe(2);
      expect(await admin.get(`${prefix}rpm:requests:alice`)).toBe('3');
      expect(await admin.get(`${prefix}rpm:concurrent:alice`)).toBe('0');
      scripts.length = 0;
      // A budget alone: read at the first admission only, then known (15 of 1,000 used) for a second.
      for (let i = 0; i < 3; i++) await chat(noTakes);
      await eventually(async () => expect(await admin.get(`${prefix}tok2:tokens:alice`)).toBe('45'));
      // Three ends, and one admission read (two on a machine so slow that the three take over a second).
      expect(scripts.length).toBeGreaterThanOrEqual(4);
      expect(scripts.length).toBeLessThanOrEqual(5);
    } finally {
      await Promise.all(gateways.splice(0).map((gw) => gw.close()));
      await client.quit();
    }
  });

  test('the client made from a URL pipelines the commands of one tick: twenty concurrent admissions in one write, counted exactly', async () => {
    const store = new LimitStore({ redis: REDIS_URL, prefix, failOpen: false }, winston.createLogger({ silent: true }));
    try {
      const counter = store.counter('pipe', { kind: 'requests', points: 15, windowMs: 60_000 });
      await store.admit([], [{ counter, subject: 'warm-up' }]);
      const client = (store as unknown as { client: Redis }).client;
      const write = jest.spyOn(client.stream, 'write');
      const refused = await Promise.all(Array.from({ length: 20 }, () => store.admit([], [{ counter, subject: 'alice' }])));
      expect(write).toHaveBeenCalledTimes(1);
      // Pipelined, still atomic per admission: exactly the limit admitted.
      expect(refused.filter((r) => r === undefined)).toHaveLength(15);
      expect(await admin.get(`${prefix}pipe:requests:alice`)).toBe('15');
      // The window's expiry, set by the increment that created the key.
      expect(await admin.ttl(`${prefix}pipe:requests:alice`)).toBeGreaterThan(55);
      expect(await admin.ttl(`${prefix}pipe:requests:alice`)).toBeLessThanOrEqual(60);
    } finally {
      await store.close();
    }
  });

  test('the admissions of one turn go in one script call, each in order and all or nothing; the ends of one turn in one, summed', async () => {
    const store = new LimitStore({ redis: REDIS_URL, prefix, failOpen: false }, winston.createLogger({ silent: true }));
    try {
      const rpm = store.counter('batch', { kind: 'requests', points: 5, windowMs: 60_000 });
      const slots = store.counter('batch', { kind: 'concurrent', points: 3, windowMs: undefined });
      const tokens = store.counter('batch', { kind: 'tokens', points: 10, windowMs: 60_000 });
      await admin.set(`${prefix}batch:tokens:carol`, '10', 'EX', 60);
      await store.admit([], [{ counter: rpm, subject: 'warm-up' }]);
      const client = (store as unknown as { client: Redis }).client;
      const evalsha = jest.spyOn(client, 'evalsha');
      const alice = [{ counter: rpm, subject: 'alice' }, { counter: slots, subject: 'alice' }];
      const answers = await Promise.all([
        ...Array.from({ length: 6 }, () => store.admit([{ counter: tokens, subject: 'alice' }], alice)),
        store.admit([{ counter: tokens, subject: 'carol' }], [{ counter: rpm, subject: 'carol' }]),
      ]);
      expect(evalsha).toHaveBeenCalledTimes(1);
      // Three took a request point and a slot; three were refused by the slots and gave their request point back.
      expect(answers.slice(0, 3)).toEqual([undefined, undefined, undefined]);
      for (const refused of answers.slice(3, 6)) expect(refused).toEqual({ index: 2, state: { used: 4, msBeforeReset: undefined } });
      // A spent budget refuses before anything is taken.
      expect(answers[6]).toMatchObject({ index: 0, state: { used: 10, msBeforeReset: expect.any(Number) } });
      expect(await admin.get(`${prefix}batch:requests:alice`)).toBe('3');
      expect(await admin.get(`${prefix}batch:concurrent:alice`)).toBe('3');
      expect(await admin.get(`${prefix}batch:requests:carol`)).toBeNull();
      expect(await admin.ttl(`${prefix}batch:requests:alice`)).toBeGreaterThan(55);
      expect(await admin.ttl(`${prefix}batch:concurrent:alice`)).toBeGreaterThan(3_590);
      evalsha.mockClear();
      await Promise.all([
        store.settle([{ counter: slots, subject: 'alice', n: -1 }, { counter: tokens, subject: 'alice', n: 4 }]),
        store.settle([{ counter: slots, subject: 'alice', n: -1 }, { counter: tokens, subject: 'alice', n: 5 }]),
        store.settle([{ counter: slots, subject: 'alice', n: -1 }, { counter: rpm, subject: 'alice', n: -1 }]),
      ]);
      expect(evalsha).toHaveBeenCalledTimes(1);
      expect(await admin.get(`${prefix}batch:concurrent:alice`)).toBe('0');
      expect(await admin.get(`${prefix}batch:tokens:alice`)).toBe('9');
      expect(await admin.get(`${prefix}batch:requests:alice`)).toBe('2');
      // The budget's count, learned from the end, is past half: the next admission reads it (and finds 1 left).
      expect(await store.admit([{ counter: tokens, subject: 'alice' }], [])).toBeUndefined();
      expect(evalsha).toHaveBeenCalledTimes(2);
    } finally {
      await store.close();
    }
  });

  test('two replicas admitting at once in batches never admit past the limit together', async () => {
    const stores = [0, 1].map(() => new LimitStore({ redis: REDIS_URL, prefix, failOpen: false }, winston.createLogger({ silent: true })));
    try {
      const counters = stores.map((s) => s.counter('replicas', { kind: 'requests', points: 7, windowMs: 60_000 }));
      await Promise.all(stores.map((s, i) => s.admit([], [{ counter: counters[i], subject: 'warm-up' }])));
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => stores[i % 2].admit([], [{ counter: counters[i % 2], subject: 'alice' }])));
      expect(answers.filter((a) => a === undefined)).toHaveLength(7);
      expect(answers.filter((a) => a !== undefined)).toEqual(Array.from({ length: 5 }, () => ({ index: 0, state: { used: 8, msBeforeReset: expect.any(Number) } })));
      expect(await admin.get(`${prefix}replicas:requests:alice`)).toBe('7');
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  test('Redis lost mid-test: by default requests are admitted (fail open), the failure logged and counted', async () => {
    const proxy = await startProxy();
    const g = await gateway([{ per: 'actor', requests: { points: 2, windowMs: 60_000 } }], { redis: proxy.url });
    await chat(g);
    expect(await admin.get(`${prefix}limit-1:requests:alice`)).toBe('1');
    await proxy.stop();
    for (let i = 0; i < 3; i++) await chat(g); // over the limit, but the limit cannot be read
    expect(upstream.requests).toHaveLength(4);
    expect(g.bridge.stats().limits!.storeFailures).toBeGreaterThanOrEqual(3);
    expect(g.logs.lines.filter((l) => l.includes('the rate limit store failed'))).toHaveLength(1);
    expect(await admin.get(`${prefix}limit-1:requests:alice`)).toBe('1');
  });

  test('Redis lost mid-test with failOpen: false: a provider-shaped 503, recorded, nothing sent upstream', async () => {
    const proxy = await startProxy();
    const g = await gateway([{ per: 'actor', requests: { points: 5, windowMs: 60_000 } }], { redis: proxy.url, failOpen: false });
    await chat(g);
    await proxy.stop();
    const refused = await refusal(chat(g));
    expect(refused.status).toBe(503);
    expect(refused.error).toMatchObject({ code: 'limit_store_unavailable' });
    expect(upstream.requests).toHaveLength(1);
    await eventually(() => expect(g.recorder.interceptionEnds.find((e) => e.status === 'failed')).toMatchObject({ httpStatus: 503, errorType: 'overloaded', errorCode: 'limit_store_unavailable' }));
    expect(g.bridge.stats().limits).toMatchObject({ failedClosed: 1, storeFailures: 1 });
  });
});
