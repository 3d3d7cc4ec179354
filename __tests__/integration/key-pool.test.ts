/** Key pool failover end to end: ordered walk, cooldowns, exhaustion, BYOK, passthrough replay, streaming, no key leaks. */
import OpenAI from 'openai';
import { openaiProvider, type OpenAIProviderOptions } from '../../lib';
import { chatCompletion, startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { startGateway, eventually, type Gateway } from '../helpers/gateway';
import { bearer, keyedUpstream, keysSeen, leakedSecrets, upstreamErrorBody } from '../helpers/keyed-upstream';

const KEYS = ['sk-key-one-aaaaaaaaaaaa1111', 'sk-key-two-bbbbbbbbbbbb2222', 'sk-key-three-cccccccccc3333'];
const [K1, K2, K3] = KEYS;
const HINTS = ['sk-k...1111', 'sk-k...2222', 'sk-k...3333'];
const CLIENT_KEY = 'sk-client-own-key-dddddddd9999';
const CLIENT_HINT = 'sk-c...9999';
const SECRETS = [...KEYS, CLIENT_KEY];
const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] };
const ALICE = { 'x-user-token': 'user-token-alice' };

interface Captured {
  status: number;
  headers: Record<string, string>;
  body: string;
}

let upstream: FakeUpstream;
const gateways: Gateway[] = [];
const responses: Captured[] = [];
const pendingCaptures: Array<Promise<void>> = [];

beforeAll(async () => {
  upstream = await startFakeOpenAI();
});
afterAll(async () => {
  await upstream.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
  upstream.behaviour = undefined;
});

// Every test ends with the leak check: no full key (pool or client) in anything a client, a log or a record saw.
afterEach(async () => {
  await Promise.all(pendingCaptures.splice(0));
  const opened = gateways.splice(0);
  const statuses = await Promise.all(opened.map((gw) => gw.bridge.keyPoolStatus()));
  await Promise.all(opened.map((gw) => gw.close())); // flushes the recorders
  const seen = responses.splice(0);
  expect(leakedSecrets(JSON.stringify(seen), SECRETS)).toEqual([]);
  expect(leakedSecrets(JSON.stringify(statuses), SECRETS)).toEqual([]);
  for (const gw of opened) {
    const r = gw.recorder;
    expect(leakedSecrets(gw.logs.lines.join('\n'), SECRETS)).toEqual([]);
    expect(leakedSecrets(JSON.stringify([r.interceptions, r.interceptionEnds, r.tokenUsages, r.promptUsages, r.toolUsages, r.modelThoughts]), SECRETS)).toEqual([]);
  }
});

async function gateway(provider: Partial<OpenAIProviderOptions> = {}): Promise<Gateway> {
  const gw = await startGateway({ providers: [openaiProvider({ baseURL: upstream.url, keys: [...KEYS], ...provider })] });
  gateways.push(gw);
  return gw;
}

async function send(gw: Gateway, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Captured> {
  const headers: Record<string, string> = { ...ALICE, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers };
  const res = await fetch(`${gw.url}/openai/v1${path}`, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, body: init.body });
  const captured = { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
  responses.push(captured);
  return captured;
}

const chat = (gw: Gateway, headers?: Record<string, string>) => send(gw, '/chat/completions', { headers, body: JSON.stringify(CHAT) });

/** An OpenAI SDK client whose responses are captured (through a clone) for the leak check. */
function sdk(gw: Gateway): OpenAI {
  const capturing = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const res = await fetch(input, init);
    const copy = res.clone();
    pendingCaptures.push(copy.text().then((body) => void responses.push({ status: copy.status, headers: Object.fromEntries(copy.headers), body }), () => undefined));
    return res;
  };
  return new OpenAI({ apiKey: 'not-a-provider-key', baseURL: `${gw.url}/openai/v1`, maxRetries: 0, defaultHeaders: ALICE, fetch: capturing });
}

function openaiError(body: string): { message: unknown; type: unknown; code: unknown } {
  const parsed = JSON.parse(body) as { error: { message: unknown; type: unknown; code: unknown } };
  expect(Object.keys(parsed.error).sort()).toEqual(['code', 'message', 'type']);
  return parsed.error;
}

describe('key pool: ordered walk and cooldowns', () => {
  test('fails over 429 → 401 → success on the third key, and the next request goes straight to key three', async () => {
    upstream.behaviour = keyedUpstream({
      [bearer(K1)]: { status: 429, headers: { 'retry-after': '30' } },
      [bearer(K2)]: { status: 401 },
    });
    const gw = await gateway();
    const started = Date.now();
    const first = await chat(gw);
    const finished = Date.now();
    expect(first.status).toBe(200);
    expect(first.body).toBe(JSON.stringify(chatCompletion()));
    expect(keysSeen(upstream.requests)).toEqual([K1, K2, K3]);
    for (const seen of upstream.requests) expect(seen.body).toBe(JSON.stringify(CHAT));

    upstream.requests.length = 0;
    const second = await chat(gw);
    expect(second.status).toBe(200);
    expect(keysSeen(upstream.requests)).toEqual([K3]);

    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(2));
    expect(gw.recorder.interceptions.map((r) => r.credentialKind)).toEqual(['centralized', 'centralized']);
    expect(gw.recorder.interceptionEnds.map((r) => [r.status, r.httpStatus, r.credentialHint])).toEqual([
      ['completed', 200, HINTS[2]],
      ['completed', 200, HINTS[2]],
    ]);

    const status = await gw.bridge.keyPoolStatus();
    expect(status).toEqual([{
      provider: 'openai',
      keys: [
        { hint: HINTS[0], state: 'cooling', reason: 'rate_limited', coolingUntil: expect.any(Date) },
        { hint: HINTS[1], state: 'cooling', reason: 'unauthorized', coolingUntil: expect.any(Date) },
        { hint: HINTS[2], state: 'healthy' },
      ],
    }]);
    const [rateLimited, unauthorized] = status[0].keys.map((k) => k.coolingUntil?.getTime() ?? 0);
    expect(rateLimited).toBeGreaterThanOrEqual(started + 30_000);
    expect(rateLimited).toBeLessThanOrEqual(finished + 30_000);
    expect(unauthorized).toBeGreaterThanOrEqual(started + 60_000);
    expect(unauthorized).toBeLessThanOrEqual(finished + 60_000);
    expect(leakedSecrets(JSON.stringify(status), SECRETS)).toEqual([]);
  });

  test('a 429 without a hint cools for 60 s; Retry-After is capped by cooldowns.maxMs (default 1 h)', async () => {
    upstream.behaviour = keyedUpstream({
      [bearer(K1)]: { status: 429 },
      [bearer(K2)]: { status: 429, headers: { 'retry-after': '86400' } },
    });
    const gw = await gateway();
    const started = Date.now();
    expect((await chat(gw)).status).toBe(200);
    const finished = Date.now();
    const [k1, k2] = (await gw.bridge.keyPoolStatus())[0].keys.map((k) => k.coolingUntil?.getTime() ?? 0);
    expect(k1).toBeGreaterThanOrEqual(started + 60_000);
    expect(k1).toBeLessThanOrEqual(finished + 60_000);
    expect(k2).toBeGreaterThanOrEqual(started + 3_600_000);
    expect(k2).toBeLessThanOrEqual(finished + 3_600_000);

    upstream.requests.length = 0;
    const capped = await gateway({ keys: [K2, K3], cooldowns: { maxMs: 2_000 } });
    const cappedStart = Date.now();
    expect((await chat(capped)).status).toBe(200);
    expect(keysSeen(upstream.requests)).toEqual([K2, K3]);
    const [until] = (await capped.bridge.keyPoolStatus())[0].keys.map((k) => k.coolingUntil?.getTime() ?? 0);
    expect(until).toBeGreaterThanOrEqual(cappedStart + 2_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 2_000);
  });

  test('all keys rate-limited → 429 with the smallest Retry-After (ms, seconds and HTTP-date hints) and an OpenAI-shaped body', async () => {
    upstream.behaviour = keyedUpstream({
      [bearer(K1)]: { status: 429, headers: { 'retry-after': '30' } },
      [bearer(K2)]: { status: 429, headers: { 'retry-after-ms': '5000' } },
      [bearer(K3)]: { status: 429, headers: { 'retry-after': new Date(Date.now() + 90_000).toUTCString() } },
    });
    const gw = await gateway();
    const res = await chat(gw);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const error = openaiError(res.body);
    expect(error.message).toBe('All configured keys are rate-limited.');
    expect(typeof error.type).toBe('string');
    expect(keysSeen(upstream.requests)).toEqual([K1, K2, K3]);

    // Now nothing is tried at all, and the hint keeps counting down from the same deadline.
    upstream.requests.length = 0;
    const again = await chat(gw);
    expect(again.status).toBe(429);
    expect(Number(again.headers['retry-after'])).toBeGreaterThanOrEqual(4);
    expect(Number(again.headers['retry-after'])).toBeLessThanOrEqual(5);
    expect(upstream.requests).toHaveLength(0);

    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(2));
    expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: 429, errorType: 'rate_limited', credentialHint: HINTS[2] });
    expect(gw.recorder.interceptionEnds[1]).toMatchObject({ status: 'failed', httpStatus: 429, errorType: 'rate_limited' });
  });

  test('all keys failing authentication → 502 without Retry-After', async () => {
    upstream.behaviour = keyedUpstream(Object.fromEntries(KEYS.map((k) => [bearer(k), { status: 401 }])));
    const gw = await gateway();
    const res = await chat(gw);
    expect(res.status).toBe(502);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(openaiError(res.body).message).toBe('All configured keys failed authentication.');
    expect(keysSeen(upstream.requests)).toEqual([K1, K2, K3]);
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
    expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: 502, errorType: 'server_error' });
  });

  test('a mix of 401 and 429 → 429 with the rate-limited key\'s Retry-After', async () => {
    upstream.behaviour = keyedUpstream({
      [bearer(K1)]: { status: 401 },
      [bearer(K2)]: { status: 429, headers: { 'retry-after': '7' } },
    });
    const gw = await gateway({ keys: [K1, K2] });
    const res = await chat(gw);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(openaiError(res.body).message).toBe('All configured keys are rate-limited.');
  });

  test.each([400, 403, 500, 503])('%i is relayed as-is: same status and body, no second attempt, no cooldown', async (status) => {
    const body = JSON.stringify({ error: { message: `upstream ${status} — ünïcode`, type: 'upstream_type', code: 'upstream_code', param: null } });
    upstream.behaviour = keyedUpstream({ [bearer(K1)]: { status, headers: { 'x-request-id': 'req_err' }, body } });
    const gw = await gateway();
    const res = await chat(gw);
    expect(res.status).toBe(status);
    expect(res.body).toBe(body);
    expect(res.headers['x-request-id']).toBe('req_err');
    expect(keysSeen(upstream.requests)).toEqual([K1]);
    expect((await gw.bridge.keyPoolStatus())[0].keys.map((k) => k.state)).toEqual(['healthy', 'healthy', 'healthy']);
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
    expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: status, credentialHint: HINTS[0] });
  });

  test('a transport error on key one is not failed over: one attempt, 502 in the OpenAI shape', async () => {
    upstream.behaviour = keyedUpstream({ [bearer(K1)]: (_req, res) => void res.socket?.destroy() });
    const gw = await gateway();
    const res = await chat(gw);
    expect(res.status).toBe(502);
    openaiError(res.body);
    expect(keysSeen(upstream.requests)).toEqual([K1]);
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
    expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: 502, errorType: 'server_error' });
  });
});

describe('key pool: client credentials', () => {
  test('BYOK: the client key is used as-is for exactly one attempt; its 429 and Retry-After are relayed; the pool is untouched', async () => {
    const body = JSON.stringify({ error: { message: 'Rate limit reached for your org', type: 'requests', code: 'rate_limit_exceeded' } });
    upstream.behaviour = keyedUpstream({ [bearer(CLIENT_KEY)]: [{ status: 429, headers: { 'retry-after': '17' }, body }] });
    const gw = await gateway({ byok: true });
    const limited = await chat(gw, { authorization: bearer(CLIENT_KEY) });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('17');
    expect(limited.body).toBe(body);
    expect(keysSeen(upstream.requests)).toEqual([CLIENT_KEY]);

    const ok = await chat(gw, { authorization: bearer(CLIENT_KEY) });
    expect(ok.status).toBe(200);
    expect(keysSeen(upstream.requests)).toEqual([CLIENT_KEY, CLIENT_KEY]);
    expect((await gw.bridge.keyPoolStatus())[0].keys.map((k) => k.state)).toEqual(['healthy', 'healthy', 'healthy']);

    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(2));
    expect(gw.recorder.interceptions.map((r) => r.credentialKind)).toEqual(['byok', 'byok']);
    expect(gw.recorder.interceptionEnds.map((r) => [r.status, r.httpStatus, r.errorType, r.credentialHint])).toEqual([
      ['failed', 429, 'rate_limited', CLIENT_HINT],
      ['completed', 200, undefined, CLIENT_HINT],
    ]);
  });

  test('BYOK: a 401 for the client key is relayed, never failed over to the pool', async () => {
    upstream.behaviour = keyedUpstream({ [bearer(CLIENT_KEY)]: { status: 401 } });
    const gw = await gateway({ byok: true });
    const res = await chat(gw, { authorization: bearer(CLIENT_KEY) });
    expect(res.status).toBe(401);
    expect(res.body).toBe(upstreamErrorBody(401));
    expect(keysSeen(upstream.requests)).toEqual([CLIENT_KEY]);
  });

  test('BYOK allowed but no client key sent → the pool is used, recorded as centralized', async () => {
    const gw = await gateway({ byok: true });
    expect((await chat(gw)).status).toBe(200);
    expect(keysSeen(upstream.requests)).toEqual([K1]);
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
    expect(gw.recorder.interceptions[0].credentialKind).toBe('centralized');
    expect(gw.recorder.interceptionEnds[0].credentialHint).toBe(HINTS[0]);
  });

  test('byok: false never forwards the client Authorization (bridged and passthrough)', async () => {
    const gw = await gateway({ byok: false });
    expect((await chat(gw, { authorization: bearer(CLIENT_KEY) })).status).toBe(200);
    expect((await send(gw, '/models', { headers: { authorization: bearer(CLIENT_KEY) } })).status).toBe(200);
    expect(keysSeen(upstream.requests)).toEqual([K1, K1]);
    expect(leakedSecrets(JSON.stringify(upstream.requests), [CLIENT_KEY])).toEqual([]);
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
    expect(gw.recorder.interceptions[0].credentialKind).toBe('centralized');
  });
});

describe('key pool: passthrough', () => {
  test('GET /models fails over from a rate-limited key, and the cooldown is shared with bridged routes', async () => {
    upstream.behaviour = keyedUpstream({ [bearer(K1)]: { status: 429, headers: { 'retry-after': '30' } } });
    const gw = await gateway();
    const res = await send(gw, '/models');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 1, owned_by: 'openai' }] });
    expect(res.headers['x-request-id']).toBe('req_models');
    expect(upstream.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v1/models', 'GET /v1/models']);
    expect(keysSeen(upstream.requests)).toEqual([K1, K2]);

    upstream.requests.length = 0;
    expect((await chat(gw)).status).toBe(200);
    expect(keysSeen(upstream.requests)).toEqual([K2]);
  });

  test('POST /conversations replays the byte-identical body to every key tried', async () => {
    upstream.behaviour = keyedUpstream({
      [bearer(K1)]: { status: 401 },
      [bearer(K2)]: { status: 429, headers: { 'retry-after-ms': '800' } },
    });
    const gw = await gateway();
    const body = JSON.stringify({ metadata: { topic: 'déjà vu 👋' }, items: [{ type: 'message', role: 'user', content: 'x'.repeat(200_000) }] });
    const res = await send(gw, '/conversations?include=all', { body });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ id: 'conv_1', object: 'conversation', echo: body });
    expect(keysSeen(upstream.requests)).toEqual([K1, K2, K3]);
    for (const seen of upstream.requests) {
      expect(`${seen.method} ${seen.url}`).toBe('POST /v1/conversations?include=all');
      expect(seen.body).toBe(body);
      expect(seen.headers['content-length']).toBe(String(Buffer.byteLength(body)));
      expect(seen.headers['content-type']).toBe('application/json');
    }
  });

  test('passthrough with every key rate-limited → 429 with Retry-After in the OpenAI shape', async () => {
    upstream.behaviour = keyedUpstream(Object.fromEntries(KEYS.map((k, i) => [bearer(k), { status: 429, headers: { 'retry-after': String(10 + i) } }])));
    const gw = await gateway();
    const res = await send(gw, '/models/gpt-4o-mini');
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('10');
    expect(openaiError(res.body).message).toBe('All configured keys are rate-limited.');
    expect(keysSeen(upstream.requests)).toEqual([K1, K2, K3]);
  });
});

describe('key pool: streaming', () => {
  test('fails over before the first byte: key one 429, key two streams, the SDK gets the whole stream', async () => {
    upstream.behaviour = keyedUpstream({ [bearer(K1)]: { status: 429, headers: { 'retry-after': '30' } } });
    const gw = await gateway();
    const stream = await sdk(gw).chat.completions.create({ model: CHAT.model, messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    for await (const part of stream) text += part.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Hello wörld 👋');
    expect(keysSeen(upstream.requests)).toEqual([K1, K2]);
    for (const seen of upstream.requests) expect(seen.json.stream).toBe(true);
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
    expect(gw.recorder.interceptions[0]).toMatchObject({ streaming: true, credentialKind: 'centralized' });
    expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed', httpStatus: 200, credentialHint: HINTS[1] });
  });

  test('all keys rate-limited on a stream → the SDK sees a 429 RateLimitError', async () => {
    upstream.behaviour = keyedUpstream(Object.fromEntries(KEYS.map((k) => [bearer(k), { status: 429, headers: { 'retry-after': '3' } }])));
    const gw = await gateway();
    const failure = await sdk(gw).chat.completions.create({ model: CHAT.model, messages: [{ role: 'user', content: 'Hi' }], stream: true }).then(() => undefined, (err: unknown) => err);
    expect(failure).toBeInstanceOf(OpenAI.RateLimitError);
    expect((failure as InstanceType<typeof OpenAI.RateLimitError>).status).toBe(429);
    expect((failure as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('3');
    expect(keysSeen(upstream.requests)).toEqual([K1, K2, K3]);
  });

  test('no failover once bytes reached the client: a stream that breaks ends with one error event', async () => {
    upstream.behaviour = keyedUpstream({
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
    expect(keysSeen(upstream.requests)).toEqual([K1]);
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
    expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', credentialHint: HINTS[0] });
  });
});
