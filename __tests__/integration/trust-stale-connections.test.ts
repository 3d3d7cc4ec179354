// An upstream that closes an idle keep-alive connection as the bridge reuses it: the attempt is sent again on a new one.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openaiProvider } from '../../lib';
import { chatCompletion } from '../helpers/fake-openai';
import { startGateway, type Gateway } from '../helpers/gateway';
import { rawRequest } from '../helpers/raw-request';

const KEY = 'sk-proj-stale-conn-aaaaaaaaaaaaaaaaaaaa1234';

/** Answers the first request of each connection; destroys the connection when a second request arrives on it. */
async function startStaleServer(cutFirst = false, reset = false) {
  const seen = { answered: 0, cut: 0 };
  const perSocket = new WeakMap<object, number>();
  const server = http.createServer((req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    if (n > 1 || cutFirst) {
      seen.cut++;
      if (reset) req.socket.resetAndDestroy();
      else req.socket.destroy();
      return;
    }
    req.resume();
    req.on('end', () => {
      seen.answered++;
      const body = req.url!.endsWith('/models') ? JSON.stringify({ object: 'list', data: [] }) : JSON.stringify(chatCompletion());
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'keep-alive' });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`, seen,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

let upstream: Awaited<ReturnType<typeof startStaleServer>>;
let gw: Gateway;

beforeEach(async () => {
  upstream = await startStaleServer();
  gw = await startGateway({ providers: [openaiProvider({ keys: [KEY], baseURL: upstream.url })] });
});
afterEach(async () => {
  await gw.close();
  await upstream.close();
});

const chat = () => rawRequest(gw.url, 'POST', '/openai/v1/chat/completions', { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' },
  JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }));
const models = () => rawRequest(gw.url, 'GET', '/openai/v1/models', { 'x-user-token': 'user-token-alice' });

test('bridged: a request meeting a connection the upstream just closed is sent again on a new one', async () => {
  for (let i = 0; i < 3; i++) {
    const res = await chat();
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).object).toBe('chat.completion');
  }
  expect(upstream.seen.answered).toBe(3);
  expect(upstream.seen.cut).toBeGreaterThan(0);
  const [status] = await gw.bridge.keyPoolStatus();
  expect(status.keys.map((k) => k.state)).toEqual(['healthy']);
  await new Promise((r) => setTimeout(r, 20));
  expect(gw.recorder.interceptionEnds.filter((r) => r.status === 'completed')).toHaveLength(3);
});

test('passthrough: the same, on the passthrough connection pool', async () => {
  for (let i = 0; i < 3; i++) {
    const res = await models();
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ object: 'list', data: [] });
  }
  expect(upstream.seen.answered).toBe(3);
  expect(upstream.seen.cut).toBeGreaterThan(0);
});

test('a new connection closed under its first request is not sent again: one attempt, 502', async () => {
  const broken = await startStaleServer(true);
  const local = await startGateway({ providers: [openaiProvider({ keys: [KEY], baseURL: broken.url })] });
  try {
    const bridged = await rawRequest(local.url, 'POST', '/openai/v1/chat/completions', { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' },
      JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }));
    expect(bridged.status).toBe(502);
    expect(broken.seen.cut).toBe(1);
    const passthrough = await rawRequest(local.url, 'GET', '/openai/v1/models', { 'x-user-token': 'user-token-alice' });
    expect(passthrough.status).toBe(502);
    expect(broken.seen.cut).toBe(2);
  } finally {
    await local.close();
    await broken.close();
  }
});

test('bridged and passthrough: a connection reset (RST) as it is reused is sent again too', async () => {
  const resetting = await startStaleServer(false, true);
  const local = await startGateway({ providers: [openaiProvider({ keys: [KEY], baseURL: resetting.url })] });
  try {
    for (let i = 0; i < 3; i++) {
      const bridged = await rawRequest(local.url, 'POST', '/openai/v1/chat/completions', { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' },
        JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }));
      expect(bridged.status).toBe(200);
      const passthrough = await rawRequest(local.url, 'GET', '/openai/v1/models', { 'x-user-token': 'user-token-alice' });
      expect(passthrough.status).toBe(200);
    }
    expect(resetting.seen.answered).toBe(6);
    expect(resetting.seen.cut).toBeGreaterThan(0);
  } finally {
    await local.close();
    await resetting.close();
  }
});
