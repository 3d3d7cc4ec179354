/** One header rule on bridged and passthrough routes: host drop list, org/project, caps, actor header encoding. */
import express, { type Request } from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBridge, openaiProvider } from '../../lib';
import { bridgeSuite, startGateway, testActor } from '../helpers/gateway';

const KEY = 'sk-pool-key-aaaaaaaaaaaaaaaa1234';
const suite = bridgeSuite((url) => ({
  providers: [
    openaiProvider({ keys: [KEY], baseURL: url, organization: 'org-pool', project: 'proj_pool' }),
    openaiProvider({ name: 'byok', keys: [KEY], baseURL: url, byok: true, organization: 'org-pool' }),
  ],
  dropHeaders: ['X-User-Token'],
}));

const chat = (provider: string, headers: Record<string, string>) => fetch(`${suite.gw.url}/${provider}/v1/chat/completions`, {
  method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice', ...headers }, body: JSON.stringify({ model: 'm', messages: [] }),
});
const models = (headers: Record<string, string>) => fetch(`${suite.gw.url}/openai/v1/models`, { headers: { 'x-user-token': 'user-token-alice', ...headers } });

describe.each([['bridged', (h: Record<string, string>) => chat('openai', h)], ['passthrough', models]])('%s route', (_route, send) => {
  test('the host\'s dropHeaders and the client\'s OpenAI-Organization/Project stay behind; the provider\'s go with the pool key', async () => {
    const res = await send({ 'openai-organization': 'org-client', 'openai-project': 'proj_client', 'x-stainless-lang': 'js', session_id: 's1' });
    expect(res.status).toBe(200);
    const seen = suite.upstream.requests[0].headers;
    expect(seen['x-user-token']).toBeUndefined();
    expect(seen['openai-organization']).toBe('org-pool');
    expect(seen['openai-project']).toBe('proj_pool');
    expect(seen.authorization).toBe(`Bearer ${KEY}`);
    expect(seen['x-stainless-lang']).toBe('js');
    expect(seen.session_id).toBe('s1');
  });

  test('more than 100 forwarded headers → 431 OpenAI-shaped, nothing upstream', async () => {
    const many = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`x-h${i}`, 'v']));
    const res = await send(many);
    expect(res.status).toBe(431);
    expect(await res.json()).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', code: 'request_headers_too_large' } });
    expect(suite.upstream.requests).toHaveLength(0);
  });

});

test('headers over 32 KiB in total → 431 on both routes, nothing upstream (a host that raised Node\'s 16 KiB header limit)', async () => {
  const bridge = createBridge({ providers: [openaiProvider({ keys: [KEY], baseURL: suite.upstream.url })], actor: testActor });
  const app = express();
  app.use('/ai', bridge);
  const server = http.createServer({ maxHeaderSize: 128 * 1024 }, app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ai/openai/v1`;
    const big = { 'x-user-token': 'user-token-alice', ...Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`x-big${i}`, 'v'.repeat(7000)])) };
    const bridged = await fetch(`${base}/chat/completions`, { method: 'POST', headers: { ...big, 'content-type': 'application/json' }, body: '{"model":"m","messages":[]}' });
    expect(bridged.status).toBe(431);
    expect(((await bridged.json()) as any).error.code).toBe('request_headers_too_large');
    const passthrough = await fetch(`${base}/models`, { headers: big });
    expect(passthrough.status).toBe(431);
    expect(suite.upstream.requests).toHaveLength(0);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await bridge.close();
  }
});

test('BYOK: the client\'s own key goes up without the pool\'s organization', async () => {
  const res = await chat('byok', { authorization: 'Bearer sk-client-own', 'openai-organization': 'org-client' });
  expect(res.status).toBe(200);
  const seen = suite.upstream.requests[0].headers;
  expect(seen.authorization).toBe('Bearer sk-client-own');
  expect(seen['openai-organization']).toBeUndefined();
});

describe('actorHeaders', () => {
  const actor = (req: Request) => ({ id: decodeURIComponent(String(req.headers['x-actor'])), metadata: { name: 'Jürgen 👋', note: 'a\r\nInjected: 1', pct: '50%' } });

  test('non-ASCII and control characters are percent-encoded (UTF-8), ASCII stays readable, on both routes', async () => {
    const gw = await startGateway({ providers: [openaiProvider({ keys: [KEY], baseURL: suite.upstream.url, actorHeaders: true })], actor });
    try {
      const id = 'müller-🚀';
      const bridged = await fetch(`${gw.url}/openai/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-actor': encodeURIComponent(id) }, body: '{"model":"m","messages":[]}',
      });
      expect(bridged.status).toBe(200);
      const passthrough = await fetch(`${gw.url}/openai/v1/models`, { headers: { 'x-actor': 'bob@example.com' } });
      expect(passthrough.status).toBe(200);
      const [b, p] = suite.upstream.requests.map((r) => r.headers);
      expect(b['x-aibridge-actor-id']).toBe('m%C3%BCller-%F0%9F%9A%80');
      expect(decodeURIComponent(b['x-aibridge-actor-metadata-name'] as string)).toBe('Jürgen 👋');
      expect(b['x-aibridge-actor-metadata-note']).toBe('a%0D%0AInjected: 1');
      expect(b.injected).toBeUndefined();
      expect(b['x-aibridge-actor-metadata-pct']).toBe('50%25');
      expect(p['x-aibridge-actor-id']).toBe('bob@example.com');
    } finally {
      await gw.close();
    }
  });
});
