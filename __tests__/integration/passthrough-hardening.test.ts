/** Passthrough against hostile framing: trailers, smuggled bodies, Expect, bodies on bodyless methods, timeouts. */
import { openaiProvider } from '../../lib';
import { bridgeSuite, startGateway } from '../helpers/gateway';
import { startFakeOpenAI } from '../helpers/fake-openai';
import { rawBody, rawHttp } from '../helpers/raw-http';

const KEY = 'sk-pool-key-aaaaaaaaaaaaaaaa1234';
const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ keys: [KEY], baseURL: url })], maxBodyBytes: 1024,
  // Framing tests name ids created elsewhere (`conv_1`); ownership has its own suite.
  ownership: { unknownIds: 'allow' } }));

const head = (method: string, path: string, extra: string[] = []) =>
  [`${method} /ai/openai/v1${path} HTTP/1.1`, 'Host: gw', 'x-user-token: user-token-alice', 'Connection: close', ...extra, '', ''].join('\r\n');

const smuggled = 'GET /v1/organization/admin_api_keys HTTP/1.1\r\nHost: api\r\n\r\n';
const chunk = (body: string) => `${body.length.toString(16)}\r\n${body}\r\n`;
const chunked = (body: string) => `${chunk(body)}0\r\n\r\n`;

describe('passthrough framing', () => {
  test('a Trailer header does not crash the process; the request is answered', async () => {
    const res = await rawHttp(suite.gw.url, [head('GET', '/models', ['Trailer: x'])]);
    expect(res.status).toBe(200);
    expect(suite.upstream.requests).toHaveLength(1);
    expect(suite.upstream.requests[0].headers.trailer).toBeUndefined();
  });

  test('a chunked DELETE body is refused and never reaches the upstream as a second request', async () => {
    const res = await rawHttp(suite.gw.url, [head('DELETE', '/conversations/conv_1', ['Transfer-Encoding: chunked']), chunked(smuggled)]);
    expect(res.status).toBe(400);
    expect(JSON.parse(rawBody(res.text)).error).toEqual({ message: expect.any(String), type: 'invalid_request_error', code: 'body_not_allowed' });
    await new Promise((r) => setTimeout(r, 100));
    expect(suite.upstream.requests).toHaveLength(0);
  });

  test('a GET with a Content-Length body is refused; nothing upstream', async () => {
    const res = await rawHttp(suite.gw.url, [head('GET', '/models', [`Content-Length: ${smuggled.length}`]) + smuggled]);
    expect(res.status).toBe(400);
    await new Promise((r) => setTimeout(r, 100));
    expect(suite.upstream.requests).toHaveLength(0);
  });

  test('a DELETE without a body is proxied with the pool key', async () => {
    const res = await rawHttp(suite.gw.url, [head('DELETE', '/conversations/conv_1', ['Content-Length: 0'])]);
    expect(res.status).toBe(200);
    expect(suite.upstream.requests.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([['DELETE', '/v1/conversations/conv_1', `Bearer ${KEY}`]]);
  });

  test('a chunked POST body is forwarded with the bridge\'s own Content-Length, no Transfer-Encoding', async () => {
    const body = '{"items":[]}';
    const res = await rawHttp(suite.gw.url, [head('POST', '/conversations', ['Transfer-Encoding: chunked', 'Content-Type: application/json']), chunked(body)]);
    expect(res.status).toBe(200);
    const seen = suite.upstream.requests[0];
    expect(seen.body).toBe(body);
    expect(seen.headers['content-length']).toBe(String(body.length));
    expect(seen.headers['transfer-encoding']).toBeUndefined();
  });

  test('a POST body over maxBodyBytes is refused with 413 while it streams in', async () => {
    const res = await rawHttp(suite.gw.url, [head('POST', '/conversations', ['Transfer-Encoding: chunked']), chunk('x'.repeat(800)), chunked('y'.repeat(800))]);
    expect(res.status).toBe(413);
    expect(suite.upstream.requests).toHaveLength(0);
  });

  test('Expect: 100-continue still gets the pool key; client credentials, cookies and forwarding headers stay behind', async () => {
    const body = '{"items":[]}';
    const res = await rawHttp(suite.gw.url, [
      head('POST', '/conversations', ['Expect: 100-continue', 'Authorization: Bearer client-secret', 'Cookie: sid=1', 'X-Forwarded-For: 10.0.0.1', 'X-Real-IP: 10.0.0.1', `Content-Length: ${body.length}`, 'Content-Type: application/json']),
      body,
    ]);
    expect(res.status).toBe(200);
    const seen = suite.upstream.requests[0].headers;
    expect(seen.authorization).toBe(`Bearer ${KEY}`);
    expect(seen.expect).toBeUndefined();
    expect(seen.cookie).toBeUndefined();
    expect(seen['x-forwarded-for']).toBeUndefined();
    expect(seen['x-real-ip']).toBeUndefined();
    expect((await suite.gw.bridge.keyPoolStatus())[0].keys[0].state).toBe('healthy');
  });

  test('Connection-named, Proxy-*, Upgrade and forged x-aibridge-* headers stay behind', async () => {
    const res = await rawHttp(suite.gw.url, [head('GET', '/models', ['X-Secret-Hop: 1', 'Connection: close, X-Secret-Hop', 'Proxy-Foo: 1', 'Upgrade: websocket', 'X-Aibridge-Actor-Id: forged', 'Keep-Alive: timeout=5', 'TE: trailers', 'openai-beta: assistants=v2'])]);
    expect(res.status).toBe(200);
    const seen = suite.upstream.requests[0].headers;
    for (const name of ['x-secret-hop', 'proxy-foo', 'upgrade', 'x-aibridge-actor-id', 'keep-alive', 'te']) expect(seen[name]).toBeUndefined();
    expect(seen['openai-beta']).toBe('assistants=v2');
  });
});

describe('passthrough timeouts', () => {
  test('no response headers in time → 504 OpenAI-shaped; a dead port → 502', async () => {
    const upstream = await startFakeOpenAI(() => undefined);
    const gw = await startGateway({ providers: [openaiProvider({ keys: [KEY], baseURL: upstream.url, timeouts: { headersMs: 300 } })] });
    try {
      const started = Date.now();
      const res = await fetch(`${gw.url}/openai/v1/models`, { headers: { 'x-user-token': 'user-token-alice' } });
      expect(res.status).toBe(504);
      expect(await res.json()).toEqual({ error: { message: expect.any(String), type: 'server_error', code: 'upstream_timeout' } });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await gw.close();
      await upstream.close();
    }
  });

  test('an upstream body that goes silent is cut after idleMs, not left hanging', async () => {
    const upstream = await startFakeOpenAI((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"object":');
    });
    const gw = await startGateway({ providers: [openaiProvider({ keys: [KEY], baseURL: upstream.url, timeouts: { idleMs: 300 } })] });
    try {
      const res = await fetch(`${gw.url}/openai/v1/models`, { headers: { 'x-user-token': 'user-token-alice' }, signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(200);
      const error = await res.text().then(() => undefined, (err: Error) => err);
      expect(error).toBeDefined();
      expect(String((error as Error & { cause?: unknown }).cause ?? error)).not.toMatch(/TimeoutError|aborted due to timeout/);
    } finally {
      await gw.close();
      await upstream.close();
    }
  });
});
