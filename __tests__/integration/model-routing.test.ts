/** Model routes through real HTTP: two fake upstreams act as two providers of each wire format behind one route. */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { anthropicProvider, openaiProvider, type BridgeOptions } from '../../lib';
import type { AuthorizeContext } from '../../lib/pipeline/authorize';
import { chunk, startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';

const KEYS = { openaiA: 'sk-route-openai-a-1111', openaiB: 'sk-route-openai-b-2222', antA: 'sk-ant-route-a-3333', antB: 'sk-ant-route-b-4444' };
let a: FakeUpstream;
let b: FakeUpstream;
let gw: Gateway;
const authorized: Array<{ providerName: string; routedBy?: string }> = [];

/** The bridge: two OpenAI and two Anthropic providers on upstreams `a` and `b`, one route over them. */
function options(extra: Partial<BridgeOptions> = {}): Partial<BridgeOptions> & Pick<BridgeOptions, 'providers'> {
  return {
    providers: [
      openaiProvider({ keys: [KEYS.openaiA], baseURL: a.url }),
      openaiProvider({ name: 'openai-b', keys: [KEYS.openaiB], baseURL: b.url }),
      anthropicProvider({ keys: [KEYS.antA], baseURL: a.origin }),
      anthropicProvider({ name: 'anthropic-b', keys: [KEYS.antB], baseURL: b.origin, byok: true }),
      openaiProvider({ name: 'down', keys: ['sk-route-down-5555'], baseURL: 'http://127.0.0.1:1/v1' }),
    ],
    routes: [
      { name: 'auto', rules: [{ model: 'claude-*', providers: ['anthropic', 'anthropic-b'] }, { model: ['gpt-*', 'o3'], providers: ['openai', 'openai-b'] }] },
      { name: 'resilient', rules: [{ model: '*', providers: ['down', 'openai-b'] }] },
    ],
    authorize: (ctx: AuthorizeContext) => {
      if (ctx.kind === 'bridged') authorized.push({ providerName: ctx.interception.providerName, routedBy: ctx.interception.routedBy });
      return true;
    },
    ...extra,
  };
}

beforeAll(async () => {
  a = await startFakeOpenAI();
  b = await startFakeOpenAI();
  gw = await startGateway(options());
});
afterAll(async () => {
  await gw.close();
  await a.close();
  await b.close();
});
beforeEach(() => {
  for (const u of [a, b]) {
    u.requests.length = 0;
    u.behaviour = undefined;
  }
  gw.recorder.clear();
  authorized.length = 0;
});

const openai = (g = gw, route = 'auto') => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${g.url}/${route}/v1`, maxRetries: 0 });
const anthropic = (g = gw) => new Anthropic({ apiKey: 'sk-ant-client-own-key-9999', baseURL: `${g.url}/auto`, maxRetries: 0, defaultHeaders: { 'x-user-token': 'user-token-alice' } });
const ask = { max_tokens: 32, messages: [{ role: 'user' as const, content: 'Hi' }] };

/** Records of both ends, joined by id, once `n` interceptions ended. */
async function ended(n: number, g = gw) {
  await eventually(() => expect(g.recorder.interceptionEnds).toHaveLength(n));
  return g.recorder.interceptions.map((start) => ({ ...start, end: g.recorder.interceptionEnds.find((e) => e.id === start.id)! }));
}

describe('routing by model', () => {
  it('sends an OpenAI-shaped request to the provider its rule names, with that provider\'s key, and records it as routed', async () => {
    const answer = await openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    expect(answer.choices[0].message.content).toBeTruthy();
    expect(a.requests).toHaveLength(1);
    expect(b.requests).toHaveLength(0);
    expect(a.requests[0].url).toBe('/v1/chat/completions');
    expect(a.requests[0].headers.authorization).toBe(`Bearer ${KEYS.openaiA}`);
    const [record] = await ended(1);
    expect(record).toMatchObject({ providerName: 'openai', provider: 'openai', route: '/auto/v1/chat/completions', model: 'gpt-4o', credentialKind: 'centralized' });
    expect(record.end).toMatchObject({ status: 'completed', httpStatus: 200 });
    expect(authorized).toEqual([{ providerName: 'openai', routedBy: 'auto' }]);
    expect(gw.logs.lines.some((l) => l.includes('"interception ended"') && l.includes('"routedBy":"auto"') && l.includes('"provider":"openai"'))).toBe(true);
  });

  it('sends an Anthropic-shaped request by the other rule, never forwarding the client\'s own key (routes use pools only)', async () => {
    const message = await anthropic().messages.create({ model: 'claude-route-test', ...ask });
    expect(message.type).toBe('message');
    expect(a.requests.map((r) => r.url)).toEqual(['/v1/messages']);
    expect(a.requests[0].headers['x-api-key']).toBe(KEYS.antA);
    const [record] = await ended(1);
    expect(record).toMatchObject({ providerName: 'anthropic', route: '/auto/v1/messages', model: 'claude-route-test', credentialKind: 'centralized' });
  });

  it('answers a model no rule matches with the API\'s 404, sending nothing upstream and recording nothing', async () => {
    const err = await openai().chat.completions.create({ model: 'llama-3', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    expect((err as Error).message).toContain('llama-3');
    const aerr = await anthropic().messages.create({ model: 'gpt-4o', ...ask }).catch((e: unknown) => e);
    // `gpt-*` serves the OpenAI APIs only: on Messages no rule matches it.
    expect(aerr).toBeInstanceOf(Anthropic.NotFoundError);
    expect((aerr as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    expect(a.requests.length + b.requests.length).toBe(0);
    expect(gw.recorder.interceptions).toHaveLength(0);
    expect(gw.bridge.stats().routes?.auto).toMatchObject({ unmatched: 2 });
  });

  it('streams through a route, recording the provider and its usage', async () => {
    const stream = await anthropic().messages.create({ model: 'claude-haiku-4-5', ...ask, stream: true });
    let text = '';
    for await (const event of stream) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    expect(text.length).toBeGreaterThan(0);
    const [record] = await ended(1);
    expect(record).toMatchObject({ providerName: 'anthropic', streaming: true, route: '/auto/v1/messages' });
    expect(record.end.status).toBe('completed');
    await eventually(() => expect(gw.recorder.tokenUsages.filter((u) => u.interceptionId === record.id).length).toBeGreaterThan(0));
  });

  it('refuses a request without an actor in the API\'s shape before reading it, recording nothing', async () => {
    const res = await fetch(`${gw.url}/auto/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'claude-x', ...ask }) });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const missing = await fetch(`${gw.url}/auto/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' }, body: JSON.stringify({ messages: [] }) });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_request' } });
    expect(a.requests.length + b.requests.length).toBe(0);
    expect(gw.recorder.interceptions).toHaveLength(0);
  });

  it('answers paths it does not serve with a 404, and passes paths of no provider or route to the host', async () => {
    const models = await fetch(`${gw.url}/auto/v1/models`, { headers: { 'x-user-token': 'user-token-alice' } });
    expect(models.status).toBe(404);
    // Outside its APIs the route speaks as its first rule's first provider (Anthropic here).
    expect(await models.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error', message: expect.stringContaining('Unknown route: GET /v1/models') } });
    const elsewhere = await fetch(`${gw.url}/nowhere/v1/chat/completions`, { method: 'POST' });
    expect(elsewhere.status).toBe(404);
    expect(a.requests.length + b.requests.length).toBe(0);
  });

  it('is mountable with bridge.handler under the route\'s name', () => {
    expect(typeof gw.bridge.handler('auto', 'messages')).toBe('function');
    expect(() => gw.bridge.handler('auto', 'images')).toThrow(/`api`/);
  });
});

describe('fallback', () => {
  it('goes on to the next provider when the first one\'s only key is cooling after a 429, and names it in the records', async () => {
    const g = await startGateway(options({ limits: [{ name: 'per-user', per: 'actor', requests: { points: 10, windowMs: 60_000 } }] }));
    try {
      a.behaviour = (req, res) => {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '60' });
        res.end(JSON.stringify({ error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } }));
      };
      const first = await openai(g).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
      expect(first.choices[0].message.content).toBeTruthy();
      expect(a.requests).toHaveLength(1);
      expect(b.requests).toHaveLength(1);
      expect(b.requests[0].headers.authorization).toBe(`Bearer ${KEYS.openaiB}`);
      // The key still cools: the next request goes to the second provider without calling the first.
      await openai(g).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Again' }] });
      expect(a.requests).toHaveLength(1);
      expect(b.requests).toHaveLength(2);
      const records = await ended(4, g);
      expect(records.map((r) => [r.providerName, r.end.status, r.end.errorCode])).toEqual([
        ['openai', 'failed', 'rate_limit_exceeded'], ['openai-b', 'completed', undefined],
        ['openai', 'failed', 'rate_limit_exceeded'], ['openai-b', 'completed', undefined],
      ]);
      expect(records[0].end.errorMessage).toContain('went on to provider "openai-b"');
      expect(records.every((r) => r.route === '/auto/v1/chat/completions')).toBe(true);
      expect(authorized.map((x) => x.providerName)).toEqual(['openai', 'openai-b', 'openai', 'openai-b']);
      expect(g.bridge.stats().routes?.auto).toEqual({ routed: 2, fallbacks: 2, unmatched: 0 });
      expect(g.bridge.stats().providers['openai-b'].completed).toBe(2);
      // One client request counts once against the rate limits, whichever providers it went through.
      await eventually(async () => expect((await g.bridge.usageOf('alice')).find((u) => u.name === 'per-user')?.used).toBe(2));

      // When the last provider cannot serve either, its own answer is the client's.
      b.behaviour = a.behaviour;
      const err = await openai(g).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Third' }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      expect((err as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toMatch(/^(59|60)$/);
      const last = await ended(6, g);
      expect(last.slice(4).map((r) => [r.providerName, r.end.status, r.end.httpStatus, r.end.errorMessage?.includes('went on')])).toEqual([
        ['openai', 'failed', 429, true], ['openai-b', 'failed', 429, false],
      ]);
    } finally {
      await g.close();
    }
  });

  it('goes on to the next provider when the first one\'s upstream refuses connections', async () => {
    const answer = await openai(gw, 'resilient').chat.completions.create({ model: 'anything', messages: [{ role: 'user', content: 'Hi' }] });
    expect(answer.choices[0].message.content).toBeTruthy();
    expect(b.requests).toHaveLength(1);
    const records = await ended(2);
    expect(records.map((r) => [r.providerName, r.end.status, r.end.errorCode])).toEqual([['down', 'failed', 'upstream_unreachable'], ['openai-b', 'completed', undefined]]);
    // A stream request too: nothing had reached the client yet.
    const stream = await openai(gw, 'resilient').chat.completions.create({ model: 'anything', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    for await (const part of stream) text += part.choices[0]?.delta?.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    expect(b.requests).toHaveLength(2);
    expect((await ended(4)).slice(2).map((r) => [r.providerName, r.streaming, r.end.status])).toEqual([['down', true, 'failed'], ['openai-b', true, 'completed']]);
  });

  it('goes on to the next provider when the first one\'s circuit is open, and not on the 5xx answers that opened it', async () => {
    const g = await startGateway(options({ circuitBreaker: { failures: 2, windowMs: 60_000, openMs: 60_000 } }));
    try {
      a.behaviour = (req, res) => {
        res.writeHead(529, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
      };
      for (let i = 0; i < 2; i++) {
        const err = await anthropic(g).messages.create({ model: 'claude-opus-4-1', ...ask }).catch((e: unknown) => e);
        expect((err as { status?: number }).status).toBe(529);
      }
      expect(b.requests).toHaveLength(0);
      const message = await anthropic(g).messages.create({ model: 'claude-opus-4-1', ...ask });
      expect(message.type).toBe('message');
      expect(a.requests).toHaveLength(2);
      expect(b.requests).toHaveLength(1);
      // The second provider is BYOK-enabled, yet a routed request goes with its pool key, not the client's.
      expect(b.requests[0].headers['x-api-key']).toBe(KEYS.antB);
      const records = await ended(4, g);
      expect(records.slice(2).map((r) => [r.providerName, r.end.status, r.end.errorCode, r.end.httpStatus])).toEqual([
        ['anthropic', 'failed', 'circuit_open', 503], ['anthropic-b', 'completed', undefined, 200],
      ]);
    } finally {
      await g.close();
    }
  });

  it('does not go on after a 400 the request caused', async () => {
    a.behaviour = (req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Invalid value for messages', type: 'invalid_request_error', param: 'messages', code: null } }));
    };
    const err = await openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toContain('Invalid value for messages');
    expect(b.requests).toHaveLength(0);
    const records = await ended(1);
    expect(records[0]).toMatchObject({ providerName: 'openai', end: { status: 'failed', httpStatus: 400 } });
  });

  it('does not go on once a stream began, even when the first provider then fails', async () => {
    a.behaviour = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(chunk({ role: 'assistant', content: 'Half' }))}\n\n`);
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const stream = await openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    const err = await (async () => {
      for await (const part of stream) text += part.choices[0]?.delta?.content ?? '';
    })().catch((e: unknown) => e);
    expect(text).toBe('Half');
    expect(err).toBeInstanceOf(Error);
    expect(b.requests).toHaveLength(0);
    const records = await ended(1);
    expect(records[0]).toMatchObject({ providerName: 'openai', end: { status: 'failed', httpStatus: 200 } });
  });
});
