/** The circuit breaker through the fake upstream: it opens, refuses without sending, lets one probe through, closes or reopens. */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Registry } from 'prom-client';
import { anthropicProvider, createBridge, openaiProvider } from '../../lib';
import type { Behaviour, FakeUpstream, ReceivedRequest } from '../helpers/fake-openai';
import { chunk, startFakeOpenAI } from '../helpers/fake-openai';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';
import { parsePromText } from '../helpers/prom-text';

const OPEN_MS = 200;
const registry = new Registry();
let upstream: FakeUpstream;
let gw: Gateway;

/** What the fake does next for a model: a status (answered in the API's error shape), `drop` (the connection), or `hold` (answers after `holdMs`). */
type Step = number | 'drop' | { holdMs: number } | { streamHoldMs: number };
const plans = new Map<string, Step[]>();
const plan = (model: string, ...steps: Step[]) => plans.set(model, steps);

const behaviour: Behaviour = async (req, res) => {
  const step = plans.get(req.json?.model)?.shift();
  if (step === undefined) return 'default';
  if (step === 'drop') {
    res.socket?.destroy();
    return undefined;
  }
  if (typeof step === 'object' && 'streamHoldMs' in step) {
    // A stream that starts at once and ends after `streamHoldMs` (a long answer).
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${JSON.stringify(chunk({ role: 'assistant', content: 'slow' }))}\n\n`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise((r) => (timer = setTimeout(r, step.streamHoldMs))), req.closedEarly]);
    clearTimeout(timer);
    res.end(`data: ${JSON.stringify(chunk({}, 'stop'))}\n\ndata: [DONE]\n\n`);
    return undefined;
  }
  if (typeof step === 'object') {
    // A client (the bridge) that gives up first ends the hold: nothing is left waiting after the test.
    let timer: NodeJS.Timeout | undefined;
    const held = await Promise.race([
      new Promise<boolean>((r) => (timer = setTimeout(r, step.holdMs, true))),
      req.closedEarly.then(() => false),
    ]);
    clearTimeout(timer);
    return held ? 'default' : undefined;
  }
  const anthropic = req.url.startsWith('/v1/messages');
  res.writeHead(step, { 'content-type': 'application/json' });
  res.end(JSON.stringify(anthropic
    ? { type: 'error', error: { type: step === 529 || step === 503 ? 'overloaded_error' : 'invalid_request_error', message: `upstream says ${step}` } }
    : { error: { message: `upstream says ${step}`, type: 'server_error', param: null, code: null } }));
  return undefined;
};

beforeAll(async () => {
  upstream = await startFakeOpenAI(behaviour);
  gw = await startGateway({
    providers: [
      openaiProvider({ keys: ['sk-breaker-pool-key-aaaa1111'], baseURL: upstream.url }),
      anthropicProvider({ keys: ['sk-ant-breaker-key-bbbb2222'], baseURL: upstream.url.replace(/\/v1$/, '') }),
      // Gives up on an answer's head after 150 ms (undici checks about once a second): a slower upstream is a timeout.
      openaiProvider({ name: 'impatient', keys: ['sk-breaker-impatient-cccc3333'], baseURL: upstream.url, timeouts: { headersMs: 150 } }),
    ],
    circuitBreaker: { failures: 3, windowMs: 10_000, openMs: OPEN_MS },
    metrics: { registry },
  });
});
afterAll(async () => {
  await gw.close();
  await upstream.close();
});
beforeEach(() => {
  plans.clear();
  gw.recorder.clear();
});

const hits = (model: string) => upstream.requests.filter((r: ReceivedRequest) => r.json?.model === model).length;
const openai = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/openai/v1`, maxRetries: 0 });
const anthropic = () => new Anthropic({ apiKey: 'x', baseURL: `${gw.url}/anthropic`, maxRetries: 0, defaultHeaders: { 'x-user-token': 'user-token-alice' } });
const chat = (model: string, stream = false) => openai().chat.completions.create({ model, stream, messages: [{ role: 'user', content: 'hi' }] } as OpenAI.ChatCompletionCreateParamsNonStreaming);
const statusOf = (p: Promise<unknown>) => p.then(() => 200, (e: { status?: number }) => e.status ?? 0);
const circuit = (model: string) => gw.bridge.stats().breakers?.find((b) => b.model === model);
const afterOpen = () => new Promise((r) => setTimeout(r, OPEN_MS + 50));

/** A raw chat request, to read the status, headers and body the client gets. */
function post(path: string, body: Record<string, unknown>) {
  return fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' }, body: JSON.stringify(body) });
}

async function openCircuit(model: string, status: Step = 503, stream = false): Promise<void> {
  plan(model, status, status, status);
  for (let i = 0; i < 3; i++) expect(await statusOf(chat(model, stream))).not.toBe(200);
  expect(circuit(model)?.state).toBe('open');
}

describe('circuit breaker: open, refuse, half-open, recover', () => {
  test('three 503s open the circuit; the next request gets a provider-shaped 503 with Retry-After and never reaches the upstream', async () => {
    await openCircuit('gpt-open');
    expect(hits('gpt-open')).toBe(3);
    const res = await post('/openai/v1/chat/completions', { model: 'gpt-open', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'type']);
    expect(body.error.code).toBe('circuit_open');
    expect(hits('gpt-open')).toBe(3);
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(4));
    const refused = gw.recorder.interceptionEnds[3];
    expect(refused).toMatchObject({ status: 'failed', httpStatus: 503, errorType: 'overloaded', errorCode: 'circuit_open' });
    expect(refused.attempts).toBeUndefined();
    expect(refused.credentialHint).toBeUndefined();
    expect(gw.recorder.interceptionEnds[0].errorCode).toBeUndefined();
    expect(gw.recorder.interceptions).toHaveLength(4);
    const status = circuit('gpt-open')!;
    expect(status).toMatchObject({ provider: 'openai', api: 'chat-completions', state: 'open' });
    expect(status.openUntil!.getTime()).toBeGreaterThan(Date.now());
    expect(gw.logs.lines.some((l) => l.includes('circuit opened') && l.includes('"level":"warn"') && l.includes('gpt-open'))).toBe(true);
  });

  test('after openMs one probe passes; its success closes the circuit and traffic flows again', async () => {
    await openCircuit('gpt-recover');
    await afterOpen();
    const probe = await chat('gpt-recover');
    expect(probe.choices[0].message.role).toBe('assistant');
    expect(hits('gpt-recover')).toBe(4);
    expect(circuit('gpt-recover')).toMatchObject({ state: 'closed', failures: 0 });
    expect(circuit('gpt-recover')!.openUntil).toBeUndefined();
    expect(await statusOf(chat('gpt-recover'))).toBe(200);
    expect(hits('gpt-recover')).toBe(5);
    const lines = gw.logs.lines.filter((l) => l.includes('gpt-recover'));
    expect(lines.some((l) => l.includes('circuit half-open') && l.includes('"level":"info"'))).toBe(true);
    expect(lines.some((l) => l.includes('circuit closed') && l.includes('"level":"info"'))).toBe(true);
  });

  test('a probe that fails reopens the circuit for another openMs; a later probe closes it', async () => {
    await openCircuit('gpt-reopen');
    await afterOpen();
    plan('gpt-reopen', 504);
    expect(await statusOf(chat('gpt-reopen'))).toBe(504);
    expect(circuit('gpt-reopen')?.state).toBe('open');
    const refused = await post('/openai/v1/chat/completions', { model: 'gpt-reopen', messages: [] });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('circuit_open');
    expect(hits('gpt-reopen')).toBe(4);
    await afterOpen();
    expect(await statusOf(chat('gpt-reopen'))).toBe(200);
    expect(circuit('gpt-reopen')?.state).toBe('closed');
  });

  test('while the probe is in flight, other requests are refused at once (not queued behind it)', async () => {
    await openCircuit('gpt-probe');
    await afterOpen();
    plan('gpt-probe', { holdMs: 2_000 });
    const probe = statusOf(chat('gpt-probe'));
    await eventually(() => expect(circuit('gpt-probe')?.state).toBe('half-open'));
    const started = Date.now();
    const other = await post('/openai/v1/chat/completions', { model: 'gpt-probe', messages: [] });
    expect(other.status).toBe(503);
    expect(other.headers.get('retry-after')).toBe('1');
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(await probe).toBe(200);
    expect(hits('gpt-probe')).toBe(4);
    expect(circuit('gpt-probe')?.state).toBe('closed');
  });

  test('a streamed probe closes the circuit as soon as its head arrives, not when its long stream ends', async () => {
    await openCircuit('gpt-long');
    await afterOpen();
    plan('gpt-long', { streamHoldMs: 1_500 });
    const probe = await post('/openai/v1/chat/completions', { model: 'gpt-long', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(probe.status).toBe(200);
    const reader = probe.body!.getReader();
    await reader.read(); // the first event: the stream is running
    expect(circuit('gpt-long')?.state).toBe('closed');
    expect(await statusOf(chat('gpt-long'))).toBe(200);
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += Buffer.from(r.value).toString();
    expect(rest).toContain('[DONE]');
    expect(hits('gpt-long')).toBe(5);
  });

  test('429 and 400 answers do not count; 503s below the threshold leave it closed', async () => {
    const tooLarge = 'gpt-4xx';
    // A 429 for this request's own size is relayed without cooling the key, so every request reaches the upstream.
    plans.set(tooLarge, [400, 400, 400, 404, 503, 503]);
    for (let i = 0; i < 6; i++) expect(await statusOf(chat(tooLarge))).not.toBe(200);
    expect(circuit(tooLarge)).toMatchObject({ state: 'closed', failures: 2 });
    expect(await statusOf(chat(tooLarge))).toBe(200);
    expect(hits(tooLarge)).toBe(7);
  });

  test('a 429 does not count either', async () => {
    const model = 'gpt-429';
    const tooBig = { error: { message: 'Request too large for gpt-4o in organization org-abc on tokens per min (TPM): Limit 30000, Requested 52000.', type: 'tokens', param: null, code: 'rate_limit_exceeded' } };
    let left = 4;
    const previous = upstream.behaviour;
    upstream.behaviour = (req, res) => {
      if (req.json?.model !== model || left-- <= 0) return previous!(req, res);
      res.writeHead(429, { 'content-type': 'application/json' });
      res.end(JSON.stringify(tooBig));
      return undefined;
    };
    try {
      for (let i = 0; i < 4; i++) expect(await statusOf(chat(model))).toBe(429);
      expect(circuit(model)).toMatchObject({ state: 'closed', failures: 0 });
      expect(await statusOf(chat(model))).toBe(200);
      expect(hits(model)).toBe(5);
    } finally {
      upstream.behaviour = previous;
    }
  });

  test('connection errors count as failures', async () => {
    // A kept-alive connection dropped as it is reused is sent again once on a new one: plan a drop for that too.
    plan('gpt-drop', 'drop', 'drop', 'drop', 'drop', 'drop', 'drop');
    for (let i = 0; i < 3; i++) expect(await statusOf(chat('gpt-drop'))).toBe(502);
    expect(circuit('gpt-drop')?.state).toBe('open');
    const sent = hits('gpt-drop');
    expect(sent).toBeGreaterThanOrEqual(3);
    expect(await statusOf(chat('gpt-drop'))).toBe(503);
    expect(hits('gpt-drop')).toBe(sent);
  });

  test('timeouts from one actor alone do not open the circuit; a second actor\'s do (and circuits are per provider: the same model elsewhere is not refused)', async () => {
    const model = 'gpt-slow';
    plan(model, { holdMs: 4_000 }, { holdMs: 4_000 }, { holdMs: 4_000 }, { holdMs: 4_000 });
    const impatient = (user: string) => new OpenAI({ apiKey: `user-token-${user}`, baseURL: `${gw.url}/impatient/v1`, maxRetries: 0 });
    const ask = (user: string) => statusOf(impatient(user).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }));
    const state = () => gw.bridge.stats().breakers!.find((b) => b.provider === 'impatient' && b.model === model)?.state;
    for (let i = 0; i < 3; i++) expect(await ask('alice')).toBe(504);
    expect(state()).toBe('closed');
    expect(await ask('bob')).toBe(504);
    expect(state()).toBe('open');
    expect(await ask('alice')).toBe(503);
    expect(hits(model)).toBe(4);
    expect(await statusOf(chat(model))).toBe(200);
  });

  test('504s from one actor alone do not open the circuit; 503s do', async () => {
    plan('gpt-504', 504, 504, 504, 504);
    for (let i = 0; i < 4; i++) expect(await statusOf(chat('gpt-504'))).toBe(504);
    expect(circuit('gpt-504')?.state).toBe('closed');
    await openCircuit('gpt-503-alone');
  });

  test('models are independent: one open circuit does not refuse another model', async () => {
    await openCircuit('gpt-down');
    expect(await statusOf(chat('gpt-down'))).toBe(503);
    expect(await statusOf(chat('gpt-up'))).toBe(200);
    expect(circuit('gpt-up')?.state).toBe('closed');
    expect(hits('gpt-up')).toBe(1);
  });

  test('streaming: failed streams open the circuit, an open circuit refuses a stream before it starts, the probe stream closes it', async () => {
    await openCircuit('gpt-stream', 503, true);
    const refused = await statusOf(chat('gpt-stream', true));
    expect(refused).toBe(503);
    expect(hits('gpt-stream')).toBe(3);
    await afterOpen();
    const stream = await openai().chat.completions.create({ model: 'gpt-stream', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    expect(circuit('gpt-stream')?.state).toBe('closed');
  });

  test('Anthropic: 529s open the circuit; the refusal is Anthropic-shaped, blocking and streaming', async () => {
    const model = 'claude-breaker';
    plan(model, 529, 529, 529);
    for (let i = 0; i < 3; i++) expect(await statusOf(anthropic().messages.create({ model, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }))).toBe(529);
    expect(gw.bridge.stats().breakers!.find((b) => b.model === model)).toMatchObject({ provider: 'anthropic', api: 'messages', state: 'open' });
    const res = await post('/anthropic/v1/messages', { model, max_tokens: 8, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'overloaded_error', message: expect.stringContaining('circuit open') } });
    const sdkErr = await anthropic().messages.create({ model, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(sdkErr).toBeInstanceOf(Anthropic.APIError);
    expect((sdkErr as InstanceType<typeof Anthropic.APIError>).status).toBe(503);
    expect(hits(model)).toBe(3);
    await afterOpen();
    const stream = anthropic().messages.stream({ model, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });
    const message = await stream.finalMessage();
    expect(message.role).toBe('assistant');
    expect(circuit(model)?.state).toBe('closed');
  });

  test('OpenAI Responses: its own circuit, the refusal in OpenAI\'s shape, recorded with errorCode', async () => {
    const model = 'gpt-responses';
    plan(model, 503, 503, 503);
    const create = () => openai().responses.create({ model, input: 'hi' });
    for (let i = 0; i < 3; i++) expect(await statusOf(create())).toBe(503);
    expect(gw.bridge.stats().breakers!.find((b) => b.model === model)).toMatchObject({ provider: 'openai', api: 'responses', state: 'open' });
    const err = await create().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('circuit_open');
    expect(hits(model)).toBe(3);
    expect(await statusOf(chat(model))).toBe(200); // the chat circuit of the same model is another one
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(5));
    expect(gw.recorder.interceptionEnds.filter((e) => e.errorCode === 'circuit_open')).toHaveLength(1);
  });

  test('metrics: circuit_state per provider, API and model, and the transitions counted', async () => {
    await openCircuit('gpt-metrics');
    let scrape = parsePromText(await registry.metrics());
    expect(scrape.types.get('aibridge_circuit_state')).toBe('gauge');
    const state = (model: string) => scrape.samples.find((s) => s.name === 'aibridge_circuit_state' && s.labels.model === model);
    expect(state('gpt-metrics')).toMatchObject({ labels: { provider: 'openai', api: 'chat-completions', model: 'gpt-metrics' }, value: 2 });
    await afterOpen();
    expect(await statusOf(chat('gpt-metrics'))).toBe(200);
    scrape = parsePromText(await registry.metrics());
    expect(state('gpt-metrics')!.value).toBe(0);
    const transitions = (to: string) => scrape.samples.find((s) => s.name === 'aibridge_circuit_transitions_total' && s.labels.model === 'gpt-metrics' && s.labels.to === to)?.value;
    expect([transitions('open'), transitions('half-open'), transitions('closed')]).toEqual([1, 1, 1]);
  });
});

describe('circuit breaker: options', () => {
  const base = { providers: [openaiProvider({ keys: ['sk-x-aaaaaaaaaaaa'] })], actor: () => ({ id: 'a' }) };

  test('off by default: no breakers in stats()', () => {
    expect(createBridge(base).stats().breakers).toBeUndefined();
    expect(createBridge({ ...base, circuitBreaker: false }).stats().breakers).toBeUndefined();
    expect(createBridge({ ...base, circuitBreaker: true }).stats().breakers).toEqual([]);
  });

  test.each<[unknown, RegExp]>([
    ['yes', /`circuitBreaker` must be true, false or an object/],
    [{ failures: 0 }, /`circuitBreaker.failures` must be a positive integer/],
    [{ openMs: 1.5 }, /`circuitBreaker.openMs` must be a positive integer/],
    [{ minActors: 0 }, /`circuitBreaker.minActors` must be a positive integer/],
    [{ window: 10 }, /`circuitBreaker.window` is not a known option; did you mean `circuitBreaker.windowMs`/],
  ])('circuitBreaker: %p is refused with an error naming the option', (value, message) => {
    expect(() => createBridge({ ...base, circuitBreaker: value as never })).toThrow(message);
  });
});
