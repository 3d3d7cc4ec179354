import { forwardableRequestHeaders, isRelayedResponseHeader } from '../../lib/upstream/headers';

test('request headers: credentials, cookies, hop-by-hop, encoding and forwarding headers are dropped', () => {
  const out = forwardableRequestHeaders({
    authorization: 'Bearer user', 'x-api-key': 'k', cookie: 'a=1', host: 'h', 'content-length': '5', 'accept-encoding': 'gzip',
    connection: 'keep-alive, x-custom-hop', 'x-custom-hop': '1', 'transfer-encoding': 'chunked', te: 'trailers', 'x-forwarded-for': '1.2.3.4',
    'anthropic-beta': 'tools-2024', 'openai-beta': 'assistants=v2', 'user-agent': 'OpenAI/JS 6', accept: 'application/json',
  });
  expect(out).toEqual({ 'anthropic-beta': 'tools-2024', 'openai-beta': 'assistants=v2', 'user-agent': 'OpenAI/JS 6', accept: 'application/json' });
});

test.each([
  ['content-type', true], ['x-request-id', true], ['openai-processing-ms', true], ['x-ratelimit-limit-requests', true],
  ['retry-after', true], ['retry-after-ms', true], ['anthropic-ratelimit-tokens-remaining', true],
  ['set-cookie', false], ['content-encoding', false], ['transfer-encoding', false], ['connection', false], ['server', false],
])('response header %s relayed: %s', (name, relayed) => {
  expect(isRelayedResponseHeader(name)).toBe(relayed);
});
