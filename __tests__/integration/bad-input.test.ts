import http from 'node:http';
import { openaiProvider } from '../../lib';
import { bridgeSuite } from '../helpers/gateway';

const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ keys: ['sk-1'], baseURL: url })] }));

/** A raw request, bytes as given; resolves with the status, or 'reset' if the connection was cut. */
function raw(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<number | 'reset'> {
  const url = new URL(suite.gw.url);
  return new Promise((resolve) => {
    const req = http.request({ host: url.hostname, port: url.port, path: `/ai/openai${path}`, method, headers: { 'x-user-token': 'user-token-alice', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', () => resolve('reset'));
    req.end(body);
  });
}

test.each([
  ['invalid UTF-8 inside JSON', Buffer.from([0x7b, 0x22, 0x6d, 0x6f, 0x64, 0x65, 0x6c, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 400],
  ['binary garbage', Buffer.from([0, 1, 2, 3, 255, 254]), 400],
  ['empty body', Buffer.alloc(0), 400],
  ['deeply nested JSON', Buffer.from('['.repeat(5000) + ']'.repeat(5000)), 400],
  ['a string', Buffer.from('"hello"'), 400],
])('%s → 4xx, nothing upstream', async (_name, body, status) => {
  suite.upstream.requests.length = 0;
  expect(await raw('POST', '/v1/chat/completions', { 'content-type': 'application/json' }, body)).toBe(status);
  expect(suite.upstream.requests).toHaveLength(0);
});

test('a lying content-length (shorter body, then the client hangs up) never crashes the process', async () => {
  const url = new URL(suite.gw.url);
  await new Promise<void>((resolve) => {
    const req = http.request({ host: url.hostname, port: url.port, path: '/ai/openai/v1/chat/completions', method: 'POST', headers: { 'x-user-token': 'user-token-alice', 'content-length': '1000' } });
    req.on('error', () => resolve());
    req.write('{"model":', () => setTimeout(() => { req.destroy(); resolve(); }, 20));
  });
  // Still serving:
  expect(await raw('GET', '/v1/models', {})).toBe(200);
});

test.each(['HEAD', 'OPTIONS', 'PUT', 'PATCH'])('%s on a bridged route → 404, nothing upstream', async (method) => {
  suite.upstream.requests.length = 0;
  expect(await raw(method, '/v1/chat/completions', {})).toBe(404);
  expect(suite.upstream.requests).toHaveLength(0);
});
