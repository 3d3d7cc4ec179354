// Hostile upstream response heads (conflicting framing, lying lengths) end as a clear error, never a hang or a crash.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { openaiProvider } from '../../lib';
import { startGateway, type Gateway } from '../helpers/gateway';
import { rawRequest } from '../helpers/raw-request';

/** A TCP server that answers every request with `answer` as raw bytes, then closes the connection. */
async function rawUpstream(answer: () => string) {
  const server = net.createServer((socket) => {
    socket.once('data', () => socket.end(answer()));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let answer: () => string;
let upstream: Awaited<ReturnType<typeof rawUpstream>>;
let gw: Gateway;
beforeAll(async () => {
  upstream = await rawUpstream(() => answer());
  gw = await startGateway({ providers: [openaiProvider({ keys: ['sk-hostile-heads-0000000000001'], baseURL: upstream.url, timeouts: { idleMs: 1000, headersMs: 1000 } })] });
});
afterAll(async () => {
  await gw.close();
  await upstream.close();
});

const JSON_BODY = '{"object":"list","data":[]}';
const HEADS: Array<[string, string]> = [
  ['content-length and chunked together', `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n${JSON_BODY.length.toString(16)}\r\n${JSON_BODY}\r\n0\r\n\r\n`],
  ['two different content-lengths', `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 3\r\nContent-Length: ${JSON_BODY.length}\r\n\r\n${JSON_BODY}`],
  ['a huge content-length, then the connection closes', `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 99999999999999\r\n\r\n${JSON_BODY}`],
  ['a negative content-length', `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n${JSON_BODY}`],
  ['a header with a bare CR', `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Evil: a\rb\r\nContent-Length: ${JSON_BODY.length}\r\n\r\n${JSON_BODY}`],
];

async function outcome(method: string, path: string, body?: string) {
  const started = Date.now();
  const res = await rawRequest(gw.url, method, path, { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' }, body).then(
    (r) => ({ status: r.status, body: r.body }), (err: Error) => ({ status: 0, body: err.message }));
  return { ...res, ms: Date.now() - started };
}

test.each(HEADS)('passthrough, %s: no clean 200 with the whole body, answered quickly', async (_name, head) => {
  answer = () => head;
  const res = await outcome('GET', '/openai/v1/models');
  expect(res.ms).toBeLessThan(3000);
  expect(res.status === 200 && res.body === JSON_BODY).toBe(false);
});

test.each(HEADS)('bridged, %s: a 502 in the OpenAI shape, answered quickly', async (_name, head) => {
  answer = () => head;
  const res = await outcome('POST', '/openai/v1/chat/completions', JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }));
  expect(res.ms).toBeLessThan(3000);
  expect(res.status).toBe(502);
  expect(Object.keys(JSON.parse(res.body).error).sort()).toEqual(['code', 'message', 'type']);
  // The upstream's fault, worded as such: not the gateway's own "failed to handle" with an error-level log line.
  expect(JSON.parse(res.body).error.code).not.toBe('internal_error');
});

test('transfer-encoding twice (both parsers read it as chunked): the client gets one body, framed by the gateway', async () => {
  answer = () => `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n${JSON_BODY.length.toString(16)}\r\n${JSON_BODY}\r\n0\r\n\r\n`;
  const res = await rawRequest(gw.url, 'GET', '/openai/v1/models', { 'x-user-token': 'user-token-alice' });
  expect(res.status).toBe(200);
  expect(res.body).toBe(JSON_BODY);
  expect(String(res.headers['transfer-encoding'] ?? '')).not.toMatch(/chunked\s*,\s*chunked/);
});
