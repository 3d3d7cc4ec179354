import { Redactor } from '../../lib/redaction/redactor';
import type { Response } from 'express';
import { createHeaderRule, isRelayedResponseHeader, MAX_FORWARDED_HEADERS } from '../../lib/http/header-rule';
import { relayResponseHeaders } from '../../lib/http/respond';
import { GatewayError } from '../../lib/errors';

const rule = createHeaderRule(['x-user-token']);

test('request headers: credentials, cookies, hop-by-hop, encoding and forwarding headers are dropped', () => {
  const out = rule.forward({
    authorization: 'Bearer user', 'x-api-key': 'k', cookie: 'a=1', host: 'h', 'content-length': '5', 'accept-encoding': 'gzip',
    connection: 'keep-alive, x-custom-hop', 'x-custom-hop': '1', 'transfer-encoding': 'chunked', te: 'trailers', 'x-forwarded-for': '1.2.3.4',
    'anthropic-beta': 'tools-2024', 'openai-beta': 'assistants=v2', 'user-agent': 'OpenAI/JS 6', accept: 'application/json',
  }, false);
  // The client's accept-encoding is replaced: every answer is asked for unencoded, so it can be scanned for keys.
  expect(out).toEqual({ 'anthropic-beta': 'tools-2024', 'openai-beta': 'assistants=v2', 'user-agent': 'OpenAI/JS 6', accept: 'application/json', 'accept-encoding': 'identity' });
});

test('the complete list: Expect, Trailer, Upgrade, Keep-Alive, Proxy-*, x-aibridge-*, org/project, host dropHeaders', () => {
  const out = rule.forward({
    expect: '100-continue', trailer: 'x', upgrade: 'h2c', 'keep-alive': 'timeout=5', 'proxy-foo': '1', 'proxy-authorization': 'Basic x',
    forwarded: 'for=1.2.3.4', 'x-real-ip': '1.2.3.4', 'x-aibridge-actor-id': 'forged', 'openai-organization': 'org-x', 'openai-project': 'p',
    'x-user-token': 'host-secret', 'http2-settings': 'x', session_id: 's', 'x-stainless-os': 'Linux', 'content-encoding': 'gzip',
  }, false);
  expect(out).toEqual({ session_id: 's', 'x-stainless-os': 'Linux', 'content-encoding': 'gzip', 'accept-encoding': 'identity' });
});

test('Content-Encoding is dropped when the bridge rewrote the body', () => {
  expect(rule.forward({ 'content-encoding': 'gzip', 'content-type': 'application/json' }, true)).toEqual({ 'content-type': 'application/json', 'accept-encoding': 'identity' });
});

test('caps: more than MAX_FORWARDED_HEADERS forwarded headers, or too many bytes, is a 431', () => {
  const many = Object.fromEntries(Array.from({ length: MAX_FORWARDED_HEADERS + 1 }, (_, i) => [`x-h${i}`, 'v']));
  expect(() => rule.forward(many, false)).toThrow(GatewayError);
  // Dropped headers do not count.
  const dropped = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x-forwarded-${i}`, 'v']));
  expect(() => rule.forward(dropped, false)).not.toThrow();
  try {
    rule.forward({ 'x-big': 'v'.repeat(40_000) }, false);
    throw new Error('not thrown');
  } catch (err) {
    expect(err).toMatchObject({ status: 431, code: 'request_headers_too_large' });
  }
});

test.each([
  ['content-type', true], ['x-request-id', true], ['openai-processing-ms', true], ['x-ratelimit-limit-requests', true],
  ['retry-after', true], ['retry-after-ms', true], ['anthropic-ratelimit-tokens-remaining', true],
  ['set-cookie', false], ['content-encoding', false], ['transfer-encoding', false], ['connection', false], ['server', false],
])('response header %s relayed: %s', (name, relayed) => {
  expect(isRelayedResponseHeader(name)).toBe(relayed);
});

test('response headers the upstream names in Connection are hop-by-hop and not relayed', () => {
  const set: Record<string, unknown> = {};
  const res = { setHeader: (n: string, v: unknown) => { set[n] = v; } } as unknown as Response;
  relayResponseHeaders(res, { connection: 'keep-alive, x-request-id', 'x-request-id': 'r1', 'openai-version': '2020', 'content-type': 'application/json' }, new Redactor([]).forRequest());
  expect(set).toEqual({ 'openai-version': '2020', 'content-type': 'application/json' });
});

test('Connection: the usual single tokens and lists alike name the headers dropped both ways', () => {
  expect(rule.forward({ connection: 'keep-alive', 'keep-alive': 'timeout=5', accept: 'a' }, false)).toEqual({ accept: 'a', 'accept-encoding': 'identity' });
  expect(rule.forward({ connection: 'close', close: 'x', accept: 'a' }, false)).toEqual({ accept: 'a', 'accept-encoding': 'identity' });
  expect(rule.forward({ connection: 'Keep-Alive, X-Hop', 'x-hop': '1', accept: 'a' }, false)).toEqual({ accept: 'a', 'accept-encoding': 'identity' });
  const set: Record<string, unknown> = {};
  const res = { setHeader: (name: string, value: unknown) => { set[name] = value; } } as unknown as Response;
  const scrub = new Redactor([]).forRequest();
  relayResponseHeaders(res, { connection: 'close', close: 'x', 'x-request-id': 'r1' }, scrub);
  relayResponseHeaders(res, { connection: 'keep-alive', 'keep-alive': 'timeout=5', 'openai-processing-ms': '3' }, scrub);
  expect(set).toEqual({ 'x-request-id': 'r1', 'openai-processing-ms': '3' });
});
