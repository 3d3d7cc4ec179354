/** Anthropic key handling: pool failover, BYOK in both header forms, exhaustion in Anthropic's shape, client abort on every path. */
import Anthropic from '@anthropic-ai/sdk';
import { anthropicProvider } from '../../lib';
import { anthropicMessage, anthropicScript } from '../helpers/anthropic-script';
import type { Behaviour } from '../helpers/fake-openai';
import { bridgeSuite, eventually } from '../helpers/gateway';

const K1 = 'sk-ant-pool-one-aaaaaaaa1111';
const K2 = 'sk-ant-pool-two-bbbbbbbb2222';
const BYOK_POOL = 'sk-ant-byok-pool-cccccc3333';
const LIMITED = ['sk-ant-limited-a-dddddd4444', 'sk-ant-limited-b-eeeeee5555'];
const cooldowns = { unauthorizedMs: 1, rateLimitedMs: 1 };
const suite = bridgeSuite((url) => {
  const baseURL = url.replace(/\/v1$/, '');
  return {
    providers: [
      anthropicProvider({ keys: [K1, K2], baseURL, cooldowns }),
      anthropicProvider({ name: 'claude-byok', keys: [BYOK_POOL], byok: true, baseURL }),
      anthropicProvider({ name: 'claude-limited', keys: LIMITED, baseURL }),
    ],
  };
});
const sdk = (prefix = 'anthropic', auth: { authToken?: string; apiKey?: string } = { authToken: 'user-token-alice' }) =>
  new Anthropic({ ...auth, baseURL: `${suite.gw.url}/${prefix}`, maxRetries: 0, defaultHeaders: { 'x-user-token': 'user-token-alice' } });
const ask = (client: Anthropic, stream = false) => client.messages.create({ model: 'claude-test-1', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }], stream } as never);

/** Answers per key: `failing` keys get `status`, the others the scripted answer. */
function byKey(failing: Record<string, { status: number; type: string; headers?: Record<string, string> }>): Behaviour {
  const ok = anthropicScript([{ text: 'from the pool' }]);
  return (req, res) => {
    const f = failing[String(req.headers['x-api-key'])];
    if (!f || req.url.split('?')[0] !== '/v1/messages') return ok(req, res);
    res.writeHead(f.status, { 'content-type': 'application/json', ...f.headers });
    res.end(JSON.stringify({ type: 'error', error: { type: f.type, message: `key refused: ${f.type}` } }));
    return undefined;
  };
}

test.each([
  [429, 'rate_limit_error'],
  [401, 'authentication_error'],
])('a %i on the first key fails over to the second; the client never sees it', async (status, type) => {
  suite.upstream.behaviour = byKey({ [K1]: { status, type } });
  const answer = (await ask(sdk())) as Anthropic.Message;
  expect(answer.content).toEqual([{ type: 'text', text: 'from the pool' }]);
  expect(suite.upstream.requests.map((r) => r.headers['x-api-key'])).toEqual([K1, K2]);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed', credentialHint: 'sk-a...2222' });
});

test('a 529 is returned as the upstream sent it (no failover on 5xx) and recorded as overloaded', async () => {
  suite.upstream.behaviour = byKey({ [K1]: { status: 529, type: 'overloaded_error' } });
  const err = await ask(sdk()).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Anthropic.APIError);
  expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
  expect((err as { error: unknown }).error).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'key refused: overloaded_error' } });
  expect(suite.upstream.requests).toHaveLength(1);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: 529, errorType: 'overloaded' });
});

test('every key rate-limited → 429 rate_limit_error with Retry-After, in Anthropic\'s shape', async () => {
  suite.upstream.behaviour = byKey(Object.fromEntries(LIMITED.map((k) => [k, { status: 429, type: 'rate_limit_error', headers: { 'retry-after': '7' } }])));
  const res = await fetch(`${suite.gw.url}/claude-limited/v1/messages`, {
    method: 'POST', headers: { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-test-1', max_tokens: 4, messages: [] }),
  });
  expect(res.status).toBe(429);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  const body = await res.json();
  expect(body).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: expect.any(String) } });
  await expect(ask(sdk('claude-limited'))).rejects.toBeInstanceOf(Anthropic.RateLimitError);
});

describe('BYOK keeps the header form the client used', () => {
  test('x-api-key (ANTHROPIC_API_KEY)', async () => {
    suite.upstream.behaviour = anthropicScript([{ text: 'yours' }]);
    // SDK 1.14.0 sends an `apiKey` as a bearer token; an explicit `x-api-key` header is how Claude Code and curl send it.
    const client = new Anthropic({ apiKey: null, baseURL: `${suite.gw.url}/claude-byok`, maxRetries: 0, defaultHeaders: { 'x-user-token': 'user-token-alice', 'x-api-key': 'sk-ant-api03-user-own-key-9999' } });
    await ask(client);
    const [received] = suite.upstream.requests;
    expect(received.headers['x-api-key']).toBe('sk-ant-api03-user-own-key-9999');
    expect(received.headers.authorization).toBeUndefined();
    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
    expect(suite.gw.recorder.interceptions[0]).toMatchObject({ credentialKind: 'byok' });
    expect(suite.gw.recorder.interceptionEnds[0].credentialHint).toBe('sk-a...9999');
  });

  test('Authorization: Bearer (ANTHROPIC_AUTH_TOKEN, OAuth) goes up as a bearer token, streaming too', async () => {
    suite.upstream.behaviour = anthropicScript([{ text: 'yours' }]);
    const final = await sdk('claude-byok', { authToken: 'sk-ant-oat01-oauth-token-8888' }).messages
      .stream({ model: 'claude-test-1', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'yours' }]);
    const [received] = suite.upstream.requests;
    expect(received.headers.authorization).toBe('Bearer sk-ant-oat01-oauth-token-8888');
    expect(received.headers['x-api-key']).toBeUndefined();
  });

  test('passthrough keeps the client form too', async () => {
    const res = await fetch(`${suite.gw.url}/claude-byok/v1/models`, { headers: { 'x-user-token': 'user-token-alice', authorization: 'Bearer sk-ant-oat01-oauth-token-7777' } });
    expect(res.status).toBe(200);
    expect(suite.upstream.requests[0].headers.authorization).toBe('Bearer sk-ant-oat01-oauth-token-7777');
    expect(suite.upstream.requests[0].headers['x-api-key']).toBeUndefined();
  });

  test('no client credential: the pool key goes as x-api-key', async () => {
    suite.upstream.behaviour = anthropicScript([{ text: 'pool' }]);
    const res = await fetch(`${suite.gw.url}/claude-byok/v1/messages`, {
      method: 'POST', headers: { 'x-user-token': 'user-token-alice' }, body: JSON.stringify({ model: 'claude-test-1', max_tokens: 4, messages: [] }),
    });
    expect(await res.json()).toEqual(anthropicMessage({ text: 'pool' }, 0));
    expect(suite.upstream.requests[0].headers).toMatchObject({ 'x-api-key': BYOK_POOL });
    expect(suite.upstream.requests[0].headers.authorization).toBeUndefined();
  });
});

describe('client abort reaches the upstream', () => {
  async function abortAfter(stream: boolean, hang: Behaviour) {
    suite.upstream.behaviour = hang;
    const controller = new AbortController();
    const res = fetch(`${suite.gw.url}/anthropic/v1/messages`, {
      method: 'POST', signal: controller.signal, headers: { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-test-1', max_tokens: 4, stream, messages: [] }),
    });
    if (stream) await (await res).body!.getReader().read();
    else await eventually(() => expect(suite.upstream.requests).toHaveLength(1));
    controller.abort();
    await res.catch(() => undefined);
    await suite.upstream.requests[0].closedEarly;
    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
    expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'aborted', errorType: 'aborted' });
  }

  test('blocking, while waiting for the answer', async () => {
    await abortAfter(false, () => undefined);
  });

  test('streaming, after the first event', async () => {
    await abortAfter(true, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: message_start\ndata: {"type":"message_start","message":{"id":"msg_slow","usage":{"input_tokens":1,"output_tokens":1}}}\n\n');
    });
  });
});
