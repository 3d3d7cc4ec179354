/** Anthropic refusals the request caused (too large, over the token rate on its own, no permission) cool no key. */
import Anthropic from '@anthropic-ai/sdk';
import { anthropicProvider } from '../../lib';
import { anthropicScript } from '../helpers/anthropic-script';
import type { Behaviour } from '../helpers/fake-openai';
import { bridgeSuite, eventually } from '../helpers/gateway';

const K1 = 'sk-ant-fault-one-aaaaaaa1111';
const K2 = 'sk-ant-fault-two-bbbbbbb2222';
// One provider (and key pair: cooldowns are kept by key) per test that cools a key, so each starts with healthy keys.
const NAMES = ['anthropic', 'claude-rate', 'claude-auth'];
const keysOf = (name: string) => (name === 'anthropic' ? [K1, K2] : [`${K1}-${name}`, `${K2}-${name}`]);
const suite = bridgeSuite((url) => ({ providers: NAMES.map((name) => anthropicProvider({ name, keys: keysOf(name), baseURL: url.replace(/\/v1$/, '') })) }));
const sdk = (name: string) => new Anthropic({ authToken: 'user-token-alice', baseURL: `${suite.gw.url}/${name}`, maxRetries: 0, defaultHeaders: { 'x-user-token': 'user-token-alice' } });
const ask = (name = 'anthropic') => sdk(name).messages.create({ model: 'claude-test-1', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
const keysSeen = () => suite.upstream.requests.map((r) => r.headers['x-api-key']);
const states = async (name = 'anthropic') => (await suite.gw.bridge.keyPoolStatus()).find((p) => p.provider === name)!.keys.map((k) => k.state);

interface Refusal {
  status: number;
  type: string;
  message: string;
  headers?: Record<string, string>;
}

/** Key one refuses its first request(s) as given; everything else gets the scripted answer. */
function refuseOnce(...refusals: Refusal[]): Behaviour {
  const ok = anthropicScript([{ text: 'fine' }]);
  const queue = [...refusals];
  return (req, res) => {
    if (!String(req.headers['x-api-key']).startsWith(K1) || queue.length === 0) return ok(req, res);
    const r = queue.shift()!;
    res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
    res.end(JSON.stringify({ type: 'error', error: { type: r.type, message: r.message } }));
    return undefined;
  };
}

const ITPM = "This request would exceed your organization's rate limit of 50,000 input tokens per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.";

test.each<[string, Refusal]>([
  ['prompt is too long (429)', { status: 429, type: 'rate_limit_error', message: 'prompt is too long: 215000 tokens > 200000 maximum' }],
  ['request_too_large as a 429', { status: 429, type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' }],
  ['input tokens per minute, bucket full', { status: 429, type: 'rate_limit_error', message: ITPM, headers: { 'retry-after': '86400', 'anthropic-ratelimit-input-tokens-limit': '50000', 'anthropic-ratelimit-input-tokens-remaining': '50000' } }],
])('%s → relayed as Anthropic wrote it, no failover, no cooldown; the next request uses key one', async (_name, refusal) => {
  suite.upstream.behaviour = refuseOnce(refusal);
  const err = await ask().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Anthropic.APIError);
  expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(refusal.status);
  expect((err as { error: unknown }).error).toEqual({ type: 'error', error: { type: refusal.type, message: refusal.message } });
  expect(keysSeen()).toEqual([K1]);
  expect(await states()).toEqual(['healthy', 'healthy']);
  expect(((await ask()) as Anthropic.Message).content).toEqual([{ type: 'text', text: 'fine' }]);
  expect(keysSeen()).toEqual([K1, K1]);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(2));
  expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: refusal.status, credentialHint: 'sk-a...1111' });
});

test('a token-rate 429 that does not say the bucket was full tries key two without cooling key one', async () => {
  suite.upstream.behaviour = refuseOnce({ status: 429, type: 'rate_limit_error', message: ITPM });
  expect(((await ask()) as Anthropic.Message).content).toEqual([{ type: 'text', text: 'fine' }]);
  expect(keysSeen()).toEqual([K1, K2]);
  expect(await states()).toEqual(['healthy', 'healthy']);
});

test('the same 429 from every key → the last answer is relayed, not "all keys rate-limited", and nothing cools', async () => {
  const ok = anthropicScript([{ text: 'fine' }]);
  let refusals = 2;
  suite.upstream.behaviour = (req, res) => {
    if (refusals-- <= 0) return ok(req, res);
    res.writeHead(429, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ type: 'error', error: { type: 'rate_limit_error', message: ITPM } }));
    return undefined;
  };
  const err = await ask().catch((e: unknown) => e);
  expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(429);
  expect((err as { error: unknown }).error).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: ITPM } });
  expect(keysSeen()).toEqual([K1, K2]);
  expect(await states()).toEqual(['healthy', 'healthy']);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: 429, credentialHint: 'sk-a...2222' });
});

test('the plain rate limit still fails over and cools key one', async () => {
  suite.upstream.behaviour = refuseOnce({ status: 429, type: 'rate_limit_error', message: 'Number of requests has exceeded your per-minute rate limit' });
  expect(((await ask('claude-rate')) as Anthropic.Message).content).toEqual([{ type: 'text', text: 'fine' }]);
  expect(keysSeen()).toEqual(keysOf('claude-rate'));
  expect(await states('claude-rate')).toEqual(['cooling', 'healthy']);
});

test('an invalid x-api-key fails over and cools key one', async () => {
  suite.upstream.behaviour = refuseOnce({ status: 401, type: 'authentication_error', message: 'invalid x-api-key' });
  expect(((await ask('claude-auth')) as Anthropic.Message).content).toEqual([{ type: 'text', text: 'fine' }]);
  expect(keysSeen()).toEqual(keysOf('claude-auth'));
  expect(await states('claude-auth')).toEqual(['cooling', 'healthy']);
});
