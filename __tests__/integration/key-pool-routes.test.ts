/** Key pool end to end on every kind of route: BYOK and client credentials, passthrough replay, streaming; no key leaks. */
import OpenAI from 'openai';
import { eventually } from '../helpers/gateway';
import { bearer, keyedUpstream, keysSeen, leakedSecrets, upstreamErrorBody } from '../helpers/keyed-upstream';
import { CHAT, CLIENT_HINT, CLIENT_KEY, HINTS, K1, K2, K3, KEYS, chat, gateway, keyPoolSuite, openaiError, send, sdk, shared } from '../helpers/key-pool-suite';

keyPoolSuite();

describe('key pool: client credentials', () => {
  test('BYOK: the client key is used as-is for exactly one attempt; its 429 and Retry-After are relayed; the pool is untouched', async () => {
    const body = JSON.stringify({ error: { message: 'Rate limit reached for your org', type: 'requests', code: 'rate_limit_exceeded' } });
    shared.upstream.behaviour = keyedUpstream({ [bearer(CLIENT_KEY)]: [{ status: 429, headers: { 'retry-after': '17' }, body }] });
    const gw = await gateway({ byok: true });
    const limited = await chat(gw, { authorization: bearer(CLIENT_KEY) });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('17');
    expect(limited.body).toBe(body);
    expect(keysSeen(shared.upstream.requests)).toEqual([CLIENT_KEY]);

    const ok = await chat(gw, { authorization: bearer(CLIENT_KEY) });
    expect(ok.status).toBe(200);
    expect(keysSeen(shared.upstream.requests)).toEqual([CLIENT_KEY, CLIENT_KEY]);
    expect((await gw.bridge.keyPoolStatus())[0].keys.map((k) => k.state)).toEqual(['healthy', 'healthy', 'healthy']);

    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(2));
    expect(gw.recorder.interceptions.map((r) => r.credentialKind)).toEqual(['byok', 'byok']);
    expect(gw.recorder.interceptionEnds.map((r) => [r.status, r.httpStatus, r.errorType, r.credentialHint])).toEqual([
      ['failed', 429, 'rate_limited', CLIENT_HINT],
      ['completed', 200, undefined, CLIENT_HINT],
    ]);
  });

  test('BYOK: a 401 for the client key is relayed, never failed over to the pool', async () => {
    shared.upstream.behaviour = keyedUpstream({ [bearer(CLIENT_KEY)]: { status: 401 } });
    const gw = await gateway({ byok: true });
    const res = await chat(gw, { authorization: bearer(CLIENT_KEY) });
    expect(res.status).toBe(401);
    expect(res.body).toBe(upstreamErrorBody(401));
    expect(keysSeen(shared.upstream.requests)).toEqual([CLIENT_KEY]);
  });

  test('BYOK allowed but no client key sent → the pool is used, recorded as centralized', async () => {
    const gw = await gateway({ byok: true });
    expect((await chat(gw)).status).toBe(200);
    expect(keysSeen(shared.upstream.requests)).toEqual([K1]);
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
    expect(gw.recorder.interceptions[0].credentialKind).toBe('centralized');
    expect(gw.recorder.interceptionEnds[0].credentialHint).toBe(HINTS[0]);
  });

  test('byok: false never forwards the client Authorization (bridged and passthrough)', async () => {
    const gw = await gateway({ byok: false });
    expect((await chat(gw, { authorization: bearer(CLIENT_KEY) })).status).toBe(200);
    expect((await send(gw, '/models', { headers: { authorization: bearer(CLIENT_KEY) } })).status).toBe(200);
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K1]);
    expect(leakedSecrets(JSON.stringify(shared.upstream.requests), [CLIENT_KEY])).toEqual([]);
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
    expect(gw.recorder.interceptions[0].credentialKind).toBe('centralized');
  });
});

describe('key pool: passthrough', () => {
  test('GET /models fails over from a rate-limited key, and the cooldown is shared with bridged routes', async () => {
    shared.upstream.behaviour = keyedUpstream({ [bearer(K1)]: { status: 429, headers: { 'retry-after': '30' } } });
    const gw = await gateway();
    const res = await send(gw, '/models');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 1, owned_by: 'openai' }] });
    expect(res.headers['x-request-id']).toBe('req_models');
    expect(shared.upstream.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v1/models', 'GET /v1/models']);
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K2]);

    shared.upstream.requests.length = 0;
    expect((await chat(gw)).status).toBe(200);
    expect(keysSeen(shared.upstream.requests)).toEqual([K2]);
  });

  test('POST /conversations replays the byte-identical body to every key tried', async () => {
    shared.upstream.behaviour = keyedUpstream({
      [bearer(K1)]: { status: 401 },
      [bearer(K2)]: { status: 429, headers: { 'retry-after-ms': '800' } },
    });
    const gw = await gateway();
    const body = JSON.stringify({ metadata: { topic: 'déjà vu 👋' }, items: [{ type: 'message', role: 'user', content: 'x'.repeat(200_000) }] });
    const res = await send(gw, '/conversations?include=all', { body });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ id: 'conv_1', object: 'conversation', echo: body });
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K2, K3]);
    for (const seen of shared.upstream.requests) {
      expect(`${seen.method} ${seen.url}`).toBe('POST /v1/conversations?include=all');
      expect(seen.body).toBe(body);
      expect(seen.headers['content-length']).toBe(String(Buffer.byteLength(body)));
      expect(seen.headers['content-type']).toBe('application/json');
    }
  });

  test('passthrough with every key rate-limited → 429 with Retry-After in the OpenAI shape', async () => {
    shared.upstream.behaviour = keyedUpstream(Object.fromEntries(KEYS.map((k, i) => [bearer(k), { status: 429, headers: { 'retry-after': String(10 + i) } }])));
    const gw = await gateway();
    const res = await send(gw, '/models/gpt-4o-mini');
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('10');
    expect(openaiError(res.body).message).toBe('All configured keys are rate-limited.');
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K2, K3]);
  });
});

describe('key pool: streaming', () => {
  test('fails over before the first byte: key one 429, key two streams, the SDK gets the whole stream', async () => {
    shared.upstream.behaviour = keyedUpstream({ [bearer(K1)]: { status: 429, headers: { 'retry-after': '30' } } });
    const gw = await gateway();
    const stream = await sdk(gw).chat.completions.create({ model: CHAT.model, messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    for await (const part of stream) text += part.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Hello wörld 👋');
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K2]);
    for (const seen of shared.upstream.requests) expect(seen.json.stream).toBe(true);
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
    expect(gw.recorder.interceptions[0]).toMatchObject({ streaming: true, credentialKind: 'centralized' });
    expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed', httpStatus: 200, credentialHint: HINTS[1] });
  });

  test('all keys rate-limited on a stream → the SDK sees a 429 RateLimitError', async () => {
    shared.upstream.behaviour = keyedUpstream(Object.fromEntries(KEYS.map((k) => [bearer(k), { status: 429, headers: { 'retry-after': '3' } }])));
    const gw = await gateway();
    const failure = await sdk(gw).chat.completions.create({ model: CHAT.model, messages: [{ role: 'user', content: 'Hi' }], stream: true }).then(() => undefined, (err: unknown) => err);
    expect(failure).toBeInstanceOf(OpenAI.RateLimitError);
    expect((failure as InstanceType<typeof OpenAI.RateLimitError>).status).toBe(429);
    expect((failure as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('3');
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K2, K3]);
  });

  test('no failover once bytes reached the client: a stream that breaks ends with one error event', async () => {
    shared.upstream.behaviour = keyedUpstream({
      [bearer(K1)]: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify({ id: 'chatcmpl-broken', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }] })}\n\n`);
        setTimeout(() => res.socket?.destroy(), 30);
      },
    });
    const gw = await gateway();
    const res = await send(gw, '/chat/completions', { body: JSON.stringify({ ...CHAT, stream: true }) });
    expect(res.status).toBe(200);
    const events = res.body.split('\n\n').filter((e) => e.startsWith('data: '));
    expect(events[0]).toContain('"content":"Hel"');
    expect(events).toHaveLength(2);
    expect(openaiError(events[1].slice('data: '.length)).message).toEqual(expect.any(String));
    expect(keysSeen(shared.upstream.requests)).toEqual([K1]);
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
    expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', credentialHint: HINTS[0] });
  });
});
