// Encoded separators and dot segments never reach the upstream as another path, on every kind of route.
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicProvider, createBridge, openaiProvider, type Bridge } from '../../lib';
import { bridgeSuite, testActor } from '../helpers/gateway';
import { rawRequest } from '../helpers/raw-request';

/** An OpenAI-compatible provider whose upstream path carries the model, percent-encoded as the contract asks. */
const deployments = (url: string) => ({
  ...openaiProvider({ name: 'deployments', keys: ['sk-deploy-000000000000000001'], baseURL: url }),
  upstreamPath: ({ call, path }: { call: { model: string }; path: string }) => `/deployments/${encodeURIComponent(call.model)}${path.replace(/^\/v1/, '')}`,
});

const suite = bridgeSuite((url) => ({
  providers: [
    openaiProvider({ keys: ['sk-guard-000000000000000001'], baseURL: url }),
    anthropicProvider({ keys: ['sk-ant-guard-0000000000000001'], baseURL: url.replace(/\/v1$/, '') }),
    deployments(url),
  ],
}));

const ALICE = { 'x-user-token': 'user-token-alice', 'content-type': 'application/json', 'anthropic-version': '2023-06-01' };
const ENCODED = ['a%2F..%2Fadmin', 'a%2f..%2fadmin', '..%2F..%2Forganization', 'a%5C..%5Cadmin', 'a%252F..%252Fadmin', '%2e%2e', 'a%2Fb'];

test.each(ENCODED.flatMap((s) => [
  ['GET', `/openai/v1/models/${s}`],
  ['GET', `/anthropic/v1/models/${s}`],
  ['POST', `/anthropic/v1/messages/${s}`],
  ['POST', `/openai/v1/responses/${s}/cancel`],
  ['GET', `/openai/v1/conversations/c1/items/${s}`],
]))('%s %s → 404, nothing upstream', async (method, path) => {
  const body = method === 'POST' ? JSON.stringify({ model: 'm', max_tokens: 1, messages: [] }) : undefined;
  const res = await rawRequest(suite.gw.url, method, path, ALICE, body);
  expect(res.status).toBe(404);
  expect(suite.upstream.requests).toHaveLength(0);
});

test.each(['a/../admin', '../../organization', '..', '.', 'a%2F..%2Fadmin', 'a%2fb', '\uff0e\uff0e', 'a\\..\\b', 'org/model'])(
  'a mapped path from model %j that could read as another path → 400, nothing upstream', async (model) => {
    const res = await rawRequest(suite.gw.url, 'POST', '/deployments/v1/chat/completions', ALICE, JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'invalid_request' });
    expect(suite.upstream.requests).toHaveLength(0);
  });

test('a model with characters that are not separators maps to its own path, encoded', async () => {
  suite.upstream.behaviour = (_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"id":"x","object":"chat.completion","choices":[]}'); };
  for (const model of ['gpt-4o.mini_2', 'x?y#z']) {
    const res = await rawRequest(suite.gw.url, 'POST', '/deployments/v1/chat/completions', ALICE, JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }));
    expect(res.status).toBe(200);
  }
  expect(suite.upstream.requests.map((r) => r.url)).toEqual(['/v1/deployments/gpt-4o.mini_2/chat/completions', '/v1/deployments/x%3Fy%23z/chat/completions']);
});

describe('handlers the host mounts', () => {
  let server: http.Server;
  let bridge: Bridge;
  let base: string;
  beforeAll(async () => {
    bridge = createBridge({ providers: [openaiProvider({ keys: ['sk-guard-000000000000000001'], baseURL: suite.upstream.url })], actor: testActor });
    const app = express();
    app.use('/pt', bridge.passthrough('openai'));
    app.use('/chat', bridge.handler('openai', 'chat-completions'));
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await bridge.close();
  });

  test.each(ENCODED.flatMap((s) => [['GET', `/pt/v1/models/${s}`], ['POST', `/chat/${s}`], ['GET', `/pt/v1/conversations/c1/${s}/x`]]))('%s %s → 404, nothing upstream', async (method, path) => {
    const res = await rawRequest(base, method, path, ALICE, method === 'POST' ? '{"model":"m","messages":[]}' : undefined);
    expect(res.status).toBe(404);
    expect(suite.upstream.requests).toHaveLength(0);
  });
});
