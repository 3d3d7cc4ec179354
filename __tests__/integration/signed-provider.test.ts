/**
 * A provider written only in the tests (signs each attempt, maps its routes to model paths, answers streams in a
 * binary framing and errors in its own shape) runs through the unchanged pipeline: blocking, streaming, tool
 * injection, failover, passthrough, several wire families, hostile framing.
 */
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { chatScript } from '../helpers/chat-script';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';
import { TestInjector } from '../helpers/test-injector';
import { signedProvider, FRAMES_TYPE, keyId } from '../helpers/signed-provider';
import { startSignedUpstream, type SignedUpstream } from '../helpers/signed-upstream';

const KEYS = ['sk-signed-key-000000000001', 'sk-signed-key-000000000002'];
const injector = new TestInjector(3);
let upstream: SignedUpstream;
let gw: Gateway;
let provider: ReturnType<typeof signedProvider>;
let wrong: ReturnType<typeof signedProvider>;

beforeAll(async () => {
  upstream = await startSignedUpstream(KEYS);
  provider = signedProvider({ baseURL: upstream.url, keys: KEYS });
  wrong = signedProvider({ name: 'wrong', baseURL: upstream.url, keys: KEYS, wrongSecret: 'not-the-key' });
  const broken = { ...signedProvider({ name: 'broken', baseURL: upstream.url, keys: KEYS }), decodeResponse: () => { throw new Error('decoder bug'); } };
  gw = await startGateway({ providers: [provider, wrong, broken] });
});
afterAll(async () => {
  await gw.close();
  await upstream.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
  upstream.refused.clear();
  upstream.inner.behaviour = undefined;
  provider.hookCalls.length = 0;
  injector.calls.length = 0;
  gw.recorder.clear();
});

const openai = (name = 'signed') => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/${name}/v1`, maxRetries: 0 });
const anthropic = (name = 'signed') => new Anthropic({ authToken: 'user-token-alice', baseURL: `${gw.url}/${name}`, maxRetries: 0 });
const question = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'What is 2+3?' }] };

function expectSignedBy(key: string, n: number): void {
  expect(upstream.requests).toHaveLength(n);
  for (const r of upstream.requests) expect(r.signedBy).toBe(key);
  // The key is the signing secret only: it never travels.
  for (const r of upstream.requests) expect(JSON.stringify(r.headers)).not.toContain(key);
}

test('blocking: signed, sent to the mapped path, answered as the upstream answered; recorded under the new kind', async () => {
  upstream.inner.behaviour = chatScript([{ text: 'Five.' }]);
  const answer = await openai().chat.completions.create(question);
  expect(answer.choices[0].message.content).toBe('Five.');
  expectSignedBy(KEYS[0], 1);
  expect(upstream.requests[0]).toMatchObject({ method: 'POST', url: '/model/gpt-4o-mini/chat' });
  expect(upstream.requests[0].headers['x-signed-key']).toBe(keyId(KEYS[0]));
  expect(provider.hookCalls).toEqual([expect.objectContaining({ method: 'POST', path: '/model/gpt-4o-mini/chat', api: 'chat-completions' })]);
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
  expect(gw.recorder.interceptions[0]).toMatchObject({ provider: 'signed', providerName: 'signed', route: '/v1/chat/completions' });
  expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed', httpStatus: 200 });
});

test('streaming: the binary frames reach the client as chat SSE, split frames reassembled', async () => {
  upstream.inner.behaviour = chatScript([{ text: 'It is five.' }]);
  const stream = await openai().chat.completions.create({ ...question, stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  expect(text).toBe('It is five.');
  expectSignedBy(KEYS[0], 1);
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
  expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed', httpStatus: 200 });
});

test('a second wire family on the same provider: Anthropic messages, blocking and streamed, through its own mapped path', async () => {
  const blocking = await anthropic().messages.create({ model: 'claude-x', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
  expect(blocking.type).toBe('message');
  const stream = anthropic().messages.stream({ model: 'claude-x', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
  const final = await stream.finalMessage();
  expect(final.type).toBe('message');
  expect(final.content.length).toBeGreaterThan(0);
  expectSignedBy(KEYS[0], 2);
  expect(upstream.requests.map((r) => r.url)).toEqual(['/model/claude-x/messages', '/model/claude-x/messages']);
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(2));
  expect(gw.recorder.interceptionEnds.map((e) => e.status)).toEqual(['completed', 'completed']);
});

test('failover: the first key refused (401 in the upstream shape), the second used; each attempt signed with its own key', async () => {
  upstream.refused.add(KEYS[0]);
  upstream.inner.behaviour = chatScript([{ text: 'Five.' }]);
  const answer = await openai().chat.completions.create(question);
  expect(answer.choices[0].message.content).toBe('Five.');
  expect(upstream.requests.map((r) => r.signedBy)).toEqual([KEYS[0], KEYS[1]]);
  expect(provider.hookCalls.map((c) => c.keyId)).toEqual([keyId(KEYS[0]), keyId(KEYS[1])]);
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
  expect(gw.recorder.interceptionEnds[0].attempts?.map((a) => a.httpStatus)).toEqual([401, 200]);
});

describe('tool injection', () => {
  let tooled: Gateway;
  let tooledProvider: ReturnType<typeof signedProvider>;
  beforeAll(async () => {
    tooledProvider = signedProvider({ baseURL: upstream.url, keys: KEYS });
    tooled = await startGateway({ providers: [tooledProvider], tools: injector });
  });
  afterAll(() => tooled.close());
  const client = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${tooled.url}/signed/v1`, maxRetries: 0 });

  test.each([false, true])('the loop calls the upstream twice, each call signed afresh (stream: %s)', async (stream) => {
    tooledProvider.hookCalls.length = 0;
    upstream.inner.behaviour = chatScript([
      { toolCalls: [{ id: 'call_1', name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' }] },
      { text: 'It is 5.' },
    ]);
    let text = '';
    if (stream) {
      for await (const chunk of await client().chat.completions.create({ ...question, stream: true })) text += chunk.choices[0]?.delta?.content ?? '';
    } else {
      text = (await client().chat.completions.create(question)).choices[0].message.content ?? '';
    }
    expect(text).toBe('It is 5.');
    expect(injector.calls.map((c) => c.name)).toEqual(['bmcp_calc_add']);
    expectSignedBy(KEYS[0], 2);
    const [first, second] = upstream.requests;
    expect(second.body.toString()).toContain('"tool_call_id":"call_1"');
    expect(first.headers['x-signed-signature']).not.toBe(second.headers['x-signed-signature']);
    expect(tooledProvider.hookCalls).toHaveLength(2);
  });
});

test('passthrough routes are signed too: a GET with its query, a POST with its body', async () => {
  const models = await fetch(`${gw.url}/signed/v1/models?limit=2`, { headers: { authorization: 'Bearer user-token-alice' } });
  expect(models.status).toBe(200);
  const count = await fetch(`${gw.url}/signed/v1/messages/count_tokens`, {
    method: 'POST', headers: { authorization: 'Bearer user-token-alice', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-x', messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(count.status).toBe(200);
  // Whichever key the pool is on (an earlier test cooled the first): both attempts signed with it.
  expectSignedBy(upstream.requests[0].signedBy!, 2);
  expect(KEYS).toContain(upstream.requests[0].signedBy);
  expect(upstream.requests.map((r) => [r.method, r.url])).toEqual([['GET', '/v1/models?limit=2'], ['POST', '/v1/messages/count_tokens']]);
  expect(provider.hookCalls.map((c) => c.api)).toEqual([undefined, undefined]);
});

test('the signature is the upstream\'s business: a wrong one is refused upstream (403), relayed in each API\'s error shape', async () => {
  const chat = openai('wrong').chat.completions.create(question);
  await expect(chat).rejects.toMatchObject({ status: 403, error: { type: 'permission_error', code: 'SignatureMismatch', message: 'The request signature does not match.' } });
  const messages = anthropic('wrong').messages.create({ model: 'claude-x', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });
  await expect(messages).rejects.toMatchObject({ status: 403, error: { type: 'error', error: { type: 'permission_error', message: 'The request signature does not match.' } } });
  expect(upstream.requests.map((r) => r.signedBy)).toEqual([undefined, undefined]);
});

test('a hostile length prefix ends the stream with one error event, allocates nothing, and the gateway goes on serving', async () => {
  upstream.rawStream = Buffer.from([0xff, 0xff, 0xff, 0xf0, 0x7b]);
  const stream = await openai().chat.completions.create({ ...question, stream: true });
  const read = (async () => { for await (const _ of stream) { /* drain */ } })();
  await expect(read).rejects.toThrow(/frame larger than/);
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
  expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', errorMessage: expect.stringMatching(/frame larger than/) });
  upstream.inner.behaviour = chatScript([{ text: 'Still here.' }]);
  expect((await openai().chat.completions.create(question)).choices[0].message.content).toBe('Still here.');
});

test('gateway errors on a bridged route speak the API\'s shape whatever the provider\'s; a model that would escape its path is refused', async () => {
  const bad = await fetch(`${gw.url}/signed/v1/messages`, { method: 'POST', headers: { authorization: 'Bearer user-token-alice', 'content-type': 'application/json' }, body: '{"model":"m"}' });
  expect(bad.status).toBe(400);
  expect(await bad.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  const escape = openai().chat.completions.create({ ...question, model: '../../admin' });
  await expect(escape).rejects.toMatchObject({ status: 400, error: { type: 'invalid_request_error' } });
  expect(upstream.requests).toHaveLength(0);
  const models = await fetch(`${gw.url}/signed/v1/nothing`, { headers: { authorization: 'Bearer user-token-alice' } });
  expect(models.status).toBe(404);
  expect(await models.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'unknown_route' } });
  expect(FRAMES_TYPE).toBe('application/vnd.signed-frames');
});

test('a decoder that throws fails its request with a 500 in the API\'s shape (logged), and frees the upstream connection', async () => {
  upstream.inner.behaviour = chatScript([{ text: 'never seen' }]);
  await expect(openai('broken').chat.completions.create(question)).rejects.toMatchObject({ status: 500, error: { type: 'server_error', code: 'internal_error' } });
  expect(gw.logs.lines.some((l) => l.includes('bridged request failed') && l.includes('decoder bug'))).toBe(true);
  upstream.inner.behaviour = chatScript([{ text: 'Fine.' }]);
  expect((await openai().chat.completions.create(question)).choices[0].message.content).toBe('Fine.');
});
