import OpenAI from 'openai';
import { openaiProvider } from '../../lib';
import { startFakeOpenAI } from '../helpers/fake-openai';
import { bridgeSuite, eventually, startGateway } from '../helpers/gateway';

const KEY = 'sk-pool-key-aaaaaaaaaaaaaaaa1234';
// These tests name ids created elsewhere (`resp_1`); ownership has its own suite.
const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ keys: [KEY], baseURL: url })], ownership: { unknownIds: 'allow' } }));

describe('passthrough', () => {
  test('GET /models through the OpenAI SDK, pool key injected, client credential and cookies stripped', async () => {
    const sdk = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0, defaultHeaders: { cookie: 'sid=1', 'x-forwarded-host': 'evil' } });
    const page = await sdk.models.list();
    expect(page.data.map((m) => m.id)).toEqual(['gpt-4o-mini']);
    const seen = suite.upstream.requests[0];
    expect(seen.method).toBe('GET');
    expect(seen.url).toBe('/v1/models');
    expect(seen.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers['x-forwarded-host']).toBeUndefined();
    expect(seen.headers.host).toBe(new URL(suite.upstream.origin).host);
  });

  test('each passthrough call is recorded once: actor, method, path without the query, status, duration, key hint', async () => {
    const before = Date.now();
    const res = await fetch(`${suite.gw.url}/openai/v1/models/gpt-4o-mini?verbose=1`, { headers: { 'x-user-token': 'user-token-bob' } });
    expect(res.status).toBe(200);
    await eventually(() => expect(suite.gw.recorder.passthroughs).toHaveLength(1));
    const [record] = suite.gw.recorder.passthroughs;
    expect(record).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/), initiatorId: 'bob', providerName: 'openai', method: 'GET', path: '/v1/models/gpt-4o-mini',
      httpStatus: 200, durationMs: expect.any(Number), credentialHint: 'sk-p...1234', createdAt: expect.any(Date),
    });
    expect(record.createdAt.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(suite.gw.recorder.interceptions).toHaveLength(0); // passthrough is not an interception
    await fetch(`${suite.gw.url}/openai/v1/models`); // no actor: 401, nothing recorded
    await new Promise((r) => setTimeout(r, 50));
    expect(suite.gw.recorder.passthroughs).toHaveLength(1);
  });

  test('GET /models/:id keeps the id and the query string; relays status, body and request id', async () => {
    const res = await fetch(`${suite.gw.url}/openai/v1/models/ft:gpt-4o:org:x?verbose=1`, { headers: { 'x-user-token': 'user-token-alice' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'ft:gpt-4o:org:x', object: 'model', created: 1, owned_by: 'openai' });
    expect(suite.upstream.requests[0].url).toBe('/v1/models/ft:gpt-4o:org:x?verbose=1');
  });

  test('upstream errors are relayed as they are', async () => {
    suite.upstream.behaviour = (_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json', 'x-request-id': 'req_404' });
      res.end('{"error":{"message":"no such model","type":"invalid_request_error","param":null,"code":"model_not_found"}}');
    };
    const res = await fetch(`${suite.gw.url}/openai/v1/models/nope`, { headers: { 'x-user-token': 'user-token-alice' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toBe('req_404');
    expect(await res.text()).toBe('{"error":{"message":"no such model","type":"invalid_request_error","param":null,"code":"model_not_found"}}');
  });

  test('GET /responses/:id and POST /conversations are allowlisted; the body reaches the upstream', async () => {
    suite.upstream.behaviour = (req, res) => {
      if (!req.url.startsWith('/v1/responses/')) return 'default';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'resp_1', object: 'response' }));
    };
    const r1 = await fetch(`${suite.gw.url}/openai/v1/responses/resp_1`, { headers: { 'x-user-token': 'user-token-alice' } });
    expect(await r1.json()).toEqual({ id: 'resp_1', object: 'response' });
    const body = JSON.stringify({ items: [{ type: 'message', role: 'user', content: 'héllo' }] });
    const r2 = await fetch(`${suite.gw.url}/openai/v1/conversations`, { method: 'POST', headers: { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' }, body });
    expect(r2.status).toBe(200);
    expect(((await r2.json()) as any).echo).toBe(body);
    expect(suite.upstream.requests[1].body).toBe(body);
  });

  test('an upstream that breaks mid-body is not turned into a clean, truncated answer', async () => {
    suite.upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"object":"list","data":[', () => setTimeout(() => res.destroy(), 20));
    };
    const res = await fetch(`${suite.gw.url}/openai/v1/models`, { headers: { 'x-user-token': 'user-token-alice' } });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  test('no actor → 401 and nothing upstream', async () => {
    const res = await fetch(`${suite.gw.url}/openai/v1/models`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.type).toBe('authentication_error');
    expect(suite.upstream.requests).toHaveLength(0);
  });

  test('upstream unreachable → 502 OpenAI-shaped', async () => {
    const dead = await startFakeOpenAI();
    await dead.close();
    const local = await startGateway({ providers: [openaiProvider({ keys: [KEY], baseURL: dead.url })] });
    try {
      const res = await fetch(`${local.url}/openai/v1/models`, { headers: { 'x-user-token': 'user-token-alice' } });
      expect(res.status).toBe(502);
      expect(Object.keys(((await res.json()) as any).error).sort()).toEqual(['code', 'message', 'type']);
    } finally {
      await local.close();
    }
  });

  test('paths outside any provider fall through to the host app', async () => {
    const res = await fetch(`${suite.gw.url}/elsewhere/v1/models`, { headers: { 'x-user-token': 'user-token-alice' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).not.toContain('application/json');
  });
});
