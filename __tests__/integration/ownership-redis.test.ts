/** Ownership shared through Redis: replicas agree on who owns a response or conversation, restarts forget nothing. */
import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { Redis } from 'ioredis';
import { openaiProvider, RedisKeyStateStore, RedisOwnershipStore } from '../../lib';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { startGateway, type Gateway } from '../helpers/gateway';
import { responsesScript } from '../helpers/responses-script';
import { requireService, serviceAvailableSync } from '../helpers/services';
import { strictResponses } from '../helpers/strict-responses';
import { TestInjector } from '../helpers/test-injector';

const URL = 'redis://127.0.0.1:6379';
const describeWithRedis = requireService('Redis', serviceAvailableSync('127.0.0.1', 6379));
const KEY = 'sk-owner-redis-000000000001';
const ADD = { id: 'call_add', name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' };

describeWithRedis('ownership shared through Redis', () => {
  // A provider name of its own per run: it is part of every Redis key, so runs never see each other's ids.
  const name = `own-${randomBytes(4).toString('hex')}`;
  let admin: Redis;
  let upstream: FakeUpstream;
  let keyState: RedisKeyStateStore;
  let ownStore: RedisOwnershipStore;
  let a: Gateway;
  let b: Gateway;
  const sdk = (gw: Gateway, user: string) => new OpenAI({ apiKey: `user-token-${user}`, baseURL: `${gw.url}/${name}/v1`, maxRetries: 0 });
  const get = (gw: Gateway, user: string, path: string) => fetch(`${gw.url}/${name}/v1${path}`, { headers: { 'x-user-token': `user-token-${user}` } });

  beforeAll(async () => {
    admin = new Redis(URL, { maxRetriesPerRequest: 1 });
    upstream = await startFakeOpenAI(strictResponses(responsesScript((_req, n) => (n === 0 ? { toolCalls: [ADD] } : { text: `Answer ${n}.` }))));
    const provider = () => openaiProvider({ name, baseURL: upstream.url, keys: [KEY] });
    // Replica A keeps owners on its key state's Redis connection; replica B has a store of its own on the same keys.
    keyState = new RedisKeyStateStore({ url: URL });
    ownStore = new RedisOwnershipStore({ url: URL });
    a = await startGateway({ providers: [provider()], keyState, tools: new TestInjector(3) });
    b = await startGateway({ providers: [provider()], ownership: { store: ownStore }, tools: new TestInjector(3) });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await keyState.close();
    await ownStore.close(); // a store the host made is the host's to close, as keyState is
    for (const key of await admin.keys(`aibridge:owner:${name}:*`)) await admin.del(key);
    admin.disconnect();
    await upstream.close();
  });

  test('a response created on one replica is its creator\'s on the other; the streamed loop\'s first id chains there too', async () => {
    let createdId: string | undefined;
    const stream = sdk(a, 'alice').responses.stream({ model: 'gpt-5', input: 'What is 2+3?' });
    stream.on('response.created', (e) => (createdId ??= e.response.id));
    await stream.finalResponse();
    expect(createdId).toBe('resp_step0');
    expect(await admin.ttl(`aibridge:owner:${name}:response:resp_step0`)).toBeGreaterThan(29 * 24 * 3600);

    const sent = upstream.requests.length;
    const bob = await sdk(b, 'bob').responses.create({ model: 'gpt-5', previous_response_id: createdId, input: 'What did she ask?' }).catch((e) => e);
    expect(bob).toBeInstanceOf(OpenAI.NotFoundError);
    expect((await get(b, 'bob', `/responses/${createdId}`)).status).toBe(404);
    expect(upstream.requests.length).toBe(sent);

    const next = await sdk(b, 'alice').responses.create({ model: 'gpt-5', previous_response_id: createdId, input: 'What did I ask?' });
    expect(next.output_text).toMatch(/^Answer/);
    expect(upstream.requests.at(-1)!.json.previous_response_id).toBe('resp_step1');
  });

  test('an output item streamed on one replica is its creator\'s on the other: Bob\'s item_reference is refused there', async () => {
    const final = await sdk(a, 'alice').responses.stream({ model: 'gpt-5', input: 'My secret.' }).finalResponse();
    const itemId = final.output[0].id!;
    expect(await admin.ttl(`aibridge:owner:${name}:item:${itemId}`)).toBeGreaterThan(29 * 24 * 3600);
    const body = JSON.stringify({ model: 'gpt-5', input: [{ type: 'item_reference', id: itemId }] });
    const post = (user: string) => fetch(`${b.url}/${name}/v1/responses`, { method: 'POST', headers: { 'x-user-token': `user-token-${user}`, 'content-type': 'application/json' }, body });
    const sent = upstream.requests.length;
    const refused = await post('bob');
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as any).error.message).toMatch(`Item with id '${itemId}' not found.`);
    expect(upstream.requests.length).toBe(sent);
    expect((await post('alice')).status).toBe(200);
  });

  test('a conversation created on one replica is refused to others on the other', async () => {
    const created = await fetch(`${b.url}/${name}/v1/conversations`, { method: 'POST', headers: { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' }, body: '{}' });
    const { id } = (await created.json()) as { id: string };
    expect((await get(a, 'bob', `/conversations/${id}`)).status).toBe(404);
    expect((await get(a, 'alice', `/conversations/${id}`)).status).toBe(200);
  });

  test('a store whose Redis is gone fails closed: 503 before anything goes upstream', async () => {
    const dead = new RedisOwnershipStore({ url: 'redis://127.0.0.1:1', timeoutMs: 200 });
    const gw = await startGateway({ providers: [openaiProvider({ name, baseURL: upstream.url, keys: [KEY] })], ownership: { store: dead } });
    try {
      const sent = upstream.requests.length;
      const res = await get(gw, 'alice', '/responses/resp_step0');
      expect(res.status).toBe(503);
      expect(((await res.json()) as any).error.code).toBe('ownership_unavailable');
      expect(upstream.requests.length).toBe(sent);
    } finally {
      await gw.close();
      await dead.close();
    }
  });
});
