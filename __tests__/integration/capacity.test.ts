/** maxConcurrent and maxConcurrentPerActor: past them the provider's 503, counted and recorded; requests in flight are never disturbed. */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Registry } from 'prom-client';
import { anthropicProvider, openaiProvider, type BridgeOptions } from '../../lib';
import { chunk, startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { eventually, startGateway, testActor, type Gateway } from '../helpers/gateway';

let upstream: FakeUpstream;
let gw: Gateway;
let release: () => void;
let gate: Promise<void>;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
});
afterAll(async () => {
  await upstream.close();
});
beforeEach(() => {
  gate = new Promise<void>((r) => (release = r));
  // Chat streams are held after their first chunk until the test releases them; everything else is answered at once.
  upstream.behaviour = async (req, res) => {
    if (req.url !== '/v1/chat/completions' || !req.json?.stream) return 'default';
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${JSON.stringify(chunk({ role: 'assistant', content: 'held ' }))}\n\n`);
    await gate;
    res.end(`data: ${JSON.stringify(chunk({ content: 'then done' }))}\n\ndata: ${JSON.stringify(chunk({}, 'stop'))}\n\ndata: [DONE]\n\n`);
  };
});
afterEach(async () => {
  release();
  await gw.close();
  upstream.requests.length = 0;
});

async function start(options: Partial<BridgeOptions>): Promise<void> {
  gw = await startGateway({
    providers: [openaiProvider({ keys: ['sk-cap-openai-0000000000001111'], baseURL: upstream.url }), anthropicProvider({ keys: ['sk-ant-cap-000000000002222'], baseURL: upstream.origin })],
    ...options,
  });
}

const openai = (user = 'alice') => new OpenAI({ apiKey: `user-token-${user}`, baseURL: `${gw.url}/openai/v1`, maxRetries: 0 });
const anthropic = (user = 'alice') => new Anthropic({ authToken: `user-token-${user}`, baseURL: `${gw.url}/anthropic`, maxRetries: 0 });

/** A chat stream through the SDK, held open by the fake after its first chunk; `rest()` reads it to its end. */
async function hold(user = 'alice') {
  const stream = await openai(user).chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  const it = stream[Symbol.asyncIterator]();
  const first = await it.next();
  expect(first.value.choices[0].delta.content).toBe('held ');
  return {
    async rest(): Promise<string> {
      let text = '';
      for (let r = await it.next(); !r.done; r = await it.next()) text += r.value.choices[0]?.delta.content ?? '';
      return text;
    },
  };
}

/** Retries `attempt` until it resolves (a slot is given back when the response closes, just after the client read its end). */
async function eventuallyPasses<T>(attempt: () => Promise<T>, timeoutMs = 2_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

async function failure(call: () => Promise<unknown>): Promise<any> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  throw new Error('the call succeeded');
}

const AT_CAPACITY = 'The gateway is at capacity; retry shortly.';

test('past maxConcurrent: the provider\'s 503 on every API and passthrough; the held streams finish untouched; then new ones pass', async () => {
  const registry = new Registry();
  await start({ maxConcurrent: 2, metrics: { registry } });
  const held = [await hold('alice'), await hold('bob')];
  const upstreamCalls = upstream.requests.length;

  const chat = await failure(() => openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }));
  expect(chat).toBeInstanceOf(OpenAI.InternalServerError);
  expect(chat.status).toBe(503);
  expect(chat.error).toEqual({ message: AT_CAPACITY, type: 'server_error', code: 'at_capacity' });
  expect(chat.headers.get('retry-after')).toBe('1');
  const responses = await failure(() => openai('bob').responses.create({ model: 'gpt-5', input: 'hi' }));
  expect(responses.status).toBe(503);
  expect(responses.error.code).toBe('at_capacity');
  const messages = await failure(() => anthropic().messages.create({ model: 'claude-test-1', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }));
  expect(messages.status).toBe(503);
  expect(messages.error).toEqual({ type: 'error', error: { type: 'overloaded_error', message: AT_CAPACITY } });
  const models = await failure(() => anthropic().models.list());
  expect(models.status).toBe(503);
  expect(models.error).toEqual({ type: 'error', error: { type: 'overloaded_error', message: AT_CAPACITY } });
  expect(upstream.requests).toHaveLength(upstreamCalls);

  expect(gw.bridge.stats().providers.openai.atCapacity).toBe(2);
  expect(gw.bridge.stats().providers.anthropic.atCapacity).toBe(2);
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'aibridge_refusals_total');
  expect(metric?.values).toEqual(expect.arrayContaining([
    { labels: { provider: 'openai', reason: 'at_capacity' }, value: 2 }, { labels: { provider: 'anthropic', reason: 'at_capacity' }, value: 2 },
  ]));
  // Refused bridged requests are recorded: who asked (a resolver that answers at once is asked), with no model
  // (their bodies were never read).
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(3));
  const refused = gw.recorder.interceptionEnds.map((e) => ({ ...gw.recorder.forInterception(e.id).interception!, ...e }));
  expect(refused.map((r) => [r.initiatorId, r.providerName, r.model, r.status, r.httpStatus, r.errorType, r.errorCode])).toEqual([
    ['alice', 'openai', '', 'failed', 503, 'overloaded', 'at_capacity'],
    ['bob', 'openai', '', 'failed', 503, 'overloaded', 'at_capacity'],
    ['alice', 'anthropic', '', 'failed', 503, 'overloaded', 'at_capacity'],
  ]);
  // And the refused passthrough call has its passthrough record.
  await eventually(() => expect(gw.recorder.passthroughs.map((p) => [p.initiatorId, p.providerName, p.path, p.httpStatus])).toEqual([
    ['alice', 'anthropic', '/v1/models', 503],
  ]));

  release();
  expect(await Promise.all(held.map((h) => h.rest()))).toEqual(['then done', 'then done']);
  const answer = await eventuallyPasses(() => openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }));
  expect(answer.choices[0].message.content).toBeTruthy();
  expect((await anthropic().models.list()).data.length).toBeGreaterThan(0);
  await eventually(() => expect(gw.recorder.interceptionEnds.filter((e) => e.status === 'completed')).toHaveLength(3));
});

test('a refused request takes no slot, and a client that leaves gives its slot back', async () => {
  await start({ maxConcurrent: 1 });
  const controller = new AbortController();
  const stream = await openai().chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { signal: controller.signal });
  await stream[Symbol.asyncIterator]().next();
  for (let i = 0; i < 3; i++) expect((await failure(() => openai().models.list())).status).toBe(503);
  controller.abort();
  await eventually(() => expect(gw.recorder.interceptionEnds.some((e) => e.status === 'aborted')).toBe(true));
  // The one slot is free again, and only one: a second held stream fills it.
  const second = await hold();
  expect((await failure(() => openai().models.list())).status).toBe(503);
  release();
  expect(await second.rest()).toBe('then done');
  expect((await eventuallyPasses(() => openai().models.list())).data.length).toBeGreaterThan(0);
});

test('a client that leaves while its actor is being resolved holds no slot', async () => {
  await start({ maxConcurrent: 1, actor: async (req) => {
    await new Promise((r) => setTimeout(r, 100));
    return testActor(req);
  } });
  for (const path of ['/openai/v1/models', '/openai/v1/chat/completions']) {
    const controller = new AbortController();
    const leaving = fetch(`${gw.url}${path}`, {
      method: path.endsWith('models') ? 'GET' : 'POST', signal: controller.signal,
      headers: { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' },
      ...(path.endsWith('models') ? {} : { body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }) }),
    });
    setTimeout(() => controller.abort(), 30);
    await expect(leaving).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 150));
    expect((await openai().models.list()).data.length).toBeGreaterThan(0);
  }
});

test('a resolver that never answers holds a slot: past maxConcurrent the next request is refused before its actor is asked', async () => {
  let asked = 0;
  // The token `stuck` is never resolved; every other one at once.
  await start({ maxConcurrent: 2, actor: (req) => {
    asked++;
    return req.headers['x-user-token'] === 'stuck' ? new Promise<never>(() => {}) : testActor(req);
  } });
  const controllers = [new AbortController(), new AbortController()];
  const stuck = controllers.map((c, i) => fetch(`${gw.url}${i === 0 ? '/openai/v1/chat/completions' : '/openai/v1/models'}`, {
    method: i === 0 ? 'POST' : 'GET', signal: c.signal,
    headers: { 'x-user-token': 'stuck', 'content-type': 'application/json' },
    ...(i === 0 ? { body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }) } : {}),
  }).catch((err: unknown) => err));
  await eventually(() => expect(asked).toBe(2));
  for (const path of ['/openai/v1/chat/completions', '/openai/v1/models']) {
    const third = await fetch(`${gw.url}${path}`, {
      method: path.endsWith('models') ? 'GET' : 'POST', signal: AbortSignal.timeout(5_000),
      headers: { 'x-user-token': 'stuck', 'content-type': 'application/json' },
      ...(path.endsWith('models') ? {} : { body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }) }),
    });
    expect(third.status).toBe(503);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('at_capacity');
  }
  expect(asked).toBe(2);
  expect(gw.bridge.stats().providers.openai.atCapacity).toBe(2);
  // The clients that wait for their actor leave: their slots come back, once each.
  for (const c of controllers) c.abort();
  await Promise.all(stuck);
  const answer = await eventuallyPasses(() => openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }));
  expect(answer.choices[0].message.content).toBeTruthy();
  const held = [await hold('alice'), await hold('bob')];
  expect((await failure(() => openai().models.list())).status).toBe(503);
  release();
  expect(await Promise.all(held.map((h) => h.rest()))).toEqual(['then done', 'then done']);
});

test('past maxConcurrentPerActor: that actor gets the 503, others go on', async () => {
  await start({ maxConcurrentPerActor: 1 });
  const held = await hold('alice');
  const err = await failure(() => openai('alice').responses.create({ model: 'gpt-5', input: 'hi' }));
  expect(err.status).toBe(503);
  expect(err.error).toEqual({ message: 'Too many of your requests are in flight at once; retry when one of them has finished.', type: 'server_error', code: 'at_capacity' });
  // Refused once its actor was known: recorded, who asked with no model (the body was never read).
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
  const [end] = gw.recorder.interceptionEnds;
  const opened = gw.recorder.forInterception(end.id).interception!;
  expect([opened.initiatorId, opened.model, end.status, end.httpStatus, end.errorType, end.errorCode]).toEqual(['alice', '', 'failed', 503, 'overloaded', 'at_capacity']);
  const bobs = await openai('bob').responses.create({ model: 'gpt-5', input: 'hi' });
  expect(bobs.output.length).toBeGreaterThan(0);
  const alicePassthrough = await failure(() => anthropic('alice').models.list());
  expect(alicePassthrough.status).toBe(503);
  release();
  expect(await held.rest()).toBe('then done');
  expect((await eventuallyPasses(() => openai('alice').responses.create({ model: 'gpt-5', input: 'hi' }))).output.length).toBeGreaterThan(0);
  expect(gw.bridge.stats().providers.openai.atCapacity).toBe(1);
  expect(gw.bridge.stats().providers.anthropic.atCapacity).toBe(1);
});

test('options: maxConcurrent and maxConcurrentPerActor must be positive integers, named when wrong', async () => {
  const { createBridge } = await import('../../lib');
  const base = { providers: [openaiProvider({ keys: ['sk-1'] })], actor: () => ({ id: 'a' }) };
  for (const [name, value] of [['maxConcurrent', 0], ['maxConcurrent', 1.5], ['maxConcurrentPerActor', -1], ['maxConcurrentPerActor', '2'], ['authorizeTimeoutMs', 0], ['authorizeTimeoutMs', 2 ** 31]] as const) {
    expect(() => createBridge({ ...base, [name]: value } as never)).toThrow(new RegExp(`\`${name}\``));
  }
  expect(() => createBridge({ ...base, authorize: 'yes' } as never)).toThrow(/`authorize`/);
  gw = await startGateway({ providers: [openaiProvider({ keys: ['sk-1'], baseURL: upstream.url })] }); // for afterEach
});
