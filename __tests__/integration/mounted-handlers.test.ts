/** bridge.handler() and bridge.passthrough(): the bridge's own handlers mounted on paths the host chose. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import express from 'express';
import winston from 'winston';
import { anthropicProvider, createBridge, MemoryRecorder, openaiProvider, type Bridge } from '../../lib';
import { anthropicScript } from '../helpers/anthropic-script';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { eventually, testActor } from '../helpers/gateway';

let upstream: FakeUpstream;
let bridge: Bridge;
let server: http.Server;
let base = '';
const recorder = new MemoryRecorder();

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  bridge = createBridge({
    providers: [
      openaiProvider({ keys: ['sk-mounted-openai-000000000001'], baseURL: upstream.url }),
      anthropicProvider({ keys: ['sk-ant-mounted-00000000000001'], baseURL: upstream.origin }),
      openaiProvider({ name: 'down', keys: ['sk-mounted-down-00000000000001'], baseURL: 'http://127.0.0.1:1/v1' }),
    ],
    routes: [{ name: 'auto', rules: [{ model: 'gpt-*', providers: ['down', 'openai'] }] }],
    actor: testActor,
    // The unreachable provider's warning is expected here.
    logger: winston.createLogger({ silent: true }),
    recorder,
  });
  const app = express();
  const auth: express.RequestHandler = (req, res, next) => (testActor(req) ? next() : res.status(401).json({ error: 'host auth' }));
  app.post('/v1/messages', auth, bridge.handler('anthropic', 'messages'));
  app.post('/llm/chat', bridge.handler('openai', 'chat-completions'));
  app.use('/openai-passthrough', bridge.passthrough('openai'));
  app.all('/llm/any-method', bridge.handler('openai', 'chat-completions'));
  app.post('/llm/auto/chat/completions', auth, bridge.handler('auto', 'chat-completions'));
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await bridge.close();
  await upstream.close();
});

beforeEach(() => {
  recorder.clear();
  upstream.requests.length = 0;
  upstream.behaviour = undefined;
});

test("an Anthropic SDK client at the host's own /v1/messages: same pool, records, query string forwarded", async () => {
  const script = anthropicScript([{ text: 'Hi from the mounted handler.' }]);
  upstream.behaviour = script;
  const client = new Anthropic({ authToken: 'user-token-alice', baseURL: base, maxRetries: 0 });
  const message = await client.messages.create({ model: 'claude-test-1', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] });
  expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'Hi from the mounted handler.' })]);
  expect(script.calls[0].url).toBe('/v1/messages');
  // Claude Code's query string reaches the upstream as it came.
  const res = await fetch(`${base}/v1/messages?beta=true`, {
    method: 'POST', headers: { authorization: 'Bearer user-token-alice', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-test-1', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(res.status).toBe(200);
  expect(script.calls[1].url).toBe('/v1/messages?beta=true');
  expect(script.calls[0].headers['x-api-key']).toBe('sk-ant-mounted-00000000000001');
  expect(script.calls[0].headers.authorization).toBeUndefined();
  await eventually(() => expect(recorder.interceptionEnds).toHaveLength(2));
  expect(recorder.interceptions[0]).toMatchObject({ initiatorId: 'alice', providerName: 'anthropic', route: '/v1/messages' });
});

test('a chat-completions handler on a path of its own', async () => {
  const res = await fetch(`${base}/llm/chat`, {
    method: 'POST', headers: { authorization: 'Bearer user-token-bob', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('x-aibridge-interception-id')).toMatch(/^[0-9a-f-]{36}$/);
  expect(upstream.requests[0].url).toBe('/v1/chat/completions');
  const wrong = await fetch(`${base}/llm/chat`, { headers: { authorization: 'Bearer user-token-bob' } });
  expect(wrong.status).toBe(404); // express only routes POST here: the host's app answers
  await eventually(() => expect(recorder.interceptions[0]).toMatchObject({ initiatorId: 'bob', providerName: 'openai' }));
  // Mounted for every method, a bridged handler still only takes POST.
  const get = await fetch(`${base}/llm/any-method`, { headers: { authorization: 'Bearer user-token-bob' } });
  expect(get.status).toBe(405);
  expect(await get.json()).toEqual({ error: { message: 'Method GET is not allowed here; use POST.', type: 'invalid_request_error', code: 'method_not_allowed' } });
});

test("a model route's handler on a path of the host's: chooses by model, falls back, answers in the API's shape", async () => {
  const client = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${base}/llm/auto`, maxRetries: 0 });
  const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });
  expect(answer.choices[0].message.content).toBeTruthy();
  // The first provider cannot be reached: the route went on to the second, with its pool key.
  expect(upstream.requests.map((r) => [r.url, r.headers.authorization])).toEqual([['/v1/chat/completions', 'Bearer sk-mounted-openai-000000000001']]);
  await eventually(() => expect(recorder.interceptionEnds).toHaveLength(2));
  expect(recorder.interceptions.map((r) => [r.providerName, r.route])).toEqual([['down', '/auto/v1/chat/completions'], ['openai', '/auto/v1/chat/completions']]);
  expect(recorder.interceptionEnds.map((e) => e.status)).toEqual(['failed', 'completed']);
  const unmatched = await client.chat.completions.create({ model: 'claude-x', messages: [{ role: 'user', content: 'hello' }] }).catch((e: unknown) => e);
  expect(unmatched).toBeInstanceOf(OpenAI.NotFoundError);
  expect((unmatched as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
  // The host's own auth runs first: no actor, no route.
  const anonymous = await fetch(`${base}/llm/auto/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(anonymous.status).toBe(401);
  expect(upstream.requests).toHaveLength(1);
});

test('passthrough mounted by the host: allowlisted paths relative to the mount, nothing else', async () => {
  const models = await fetch(`${base}/openai-passthrough/v1/models`, { headers: { authorization: 'Bearer user-token-alice' } });
  expect(models.status).toBe(200);
  expect(upstream.requests.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([['GET', '/v1/models', 'Bearer sk-mounted-openai-000000000001']]);
  const refused = await fetch(`${base}/openai-passthrough/v1/models/x`, { method: 'DELETE', headers: { authorization: 'Bearer user-token-alice' } });
  expect(refused.status).toBe(404);
  expect(((await refused.json()) as { error: unknown }).error).toMatchObject({ code: 'unknown_route' });
  const climbing = await fetch(`${base}/openai-passthrough/v1/models/..%2f..%2fadmin`, { headers: { authorization: 'Bearer user-token-alice' } });
  expect(climbing.status).toBe(404);
  const anonymous = await fetch(`${base}/openai-passthrough/v1/models`);
  expect(anonymous.status).toBe(401);
  expect(upstream.requests).toHaveLength(1);
});

test('unknown provider or API names throw at mount time, naming the argument', () => {
  expect(() => bridge.handler('nope', 'messages')).toThrow(/bridge\.handler: option `providerName` must name a provider of this bridge \(openai, anthropic, down\)/);
  expect(() => bridge.handler('openai', 'messages')).toThrow(/bridge\.handler: option `api` must name an API of provider "openai" \(chat-completions, responses, responses-compact, responses-input-tokens, completions, embeddings\)/);
  expect(() => bridge.passthrough('nope')).toThrow(/bridge\.passthrough: option `providerName`/);
});

test('a mounted handler follows the bridge lifecycle: 503 in the provider shape once close() began', async () => {
  const other = createBridge({ providers: [anthropicProvider({ keys: ['sk-ant-closing-000000000001'], baseURL: upstream.origin })], actor: testActor });
  const app = express();
  app.post('/v1/messages', other.handler('anthropic', 'messages'));
  const s = http.createServer(app);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  await other.close();
  const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer user-token-alice' }, body: '{}' });
  expect(res.status).toBe(503);
  expect(await res.json()).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'The gateway is shutting down.' } });
  await new Promise<void>((resolve) => s.close(() => resolve()));
});
