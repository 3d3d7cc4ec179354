/** authorize: allow or deny before any upstream call or key use, on chat, Responses, Messages and passthrough, with the real SDKs. */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Registry } from 'prom-client';
import { anthropicProvider, openaiProvider, type AuthorizeContext, type AuthorizeHook } from '../../lib';
import { bridgeSuite, eventually } from '../helpers/gateway';

const OPENAI_KEY = 'sk-auth-openai-000000000000001111';
const ANTHROPIC_KEY = 'sk-ant-auth-0000000000000002222';
const registry = new Registry();
let hook: AuthorizeHook = () => true;
const seen: AuthorizeContext[] = [];
const suite = bridgeSuite((url) => ({
  providers: [openaiProvider({ keys: [OPENAI_KEY], baseURL: url }), anthropicProvider({ keys: [ANTHROPIC_KEY], baseURL: url.replace(/\/v1$/, '') })],
  authorize: (ctx) => {
    seen.push(ctx);
    return hook(ctx);
  },
  authorizeTimeoutMs: 200,
  metrics: { registry },
  // Passthrough of a response id created elsewhere: ownership has its own suite.
  ownership: { unknownIds: 'allow' },
}));
beforeEach(() => {
  seen.length = 0;
  hook = () => true;
});

const openai = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0 });
const anthropic = () => new Anthropic({ authToken: 'user-token-alice', baseURL: `${suite.gw.url}/anthropic`, maxRetries: 0 });
const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };
const MESSAGE = { model: 'claude-test-1', max_tokens: 64, messages: [{ role: 'user' as const, content: 'hi' }] };

/** Each bridged API through its SDK, blocking or streamed: the error the SDK threw, or undefined when it succeeded. */
const CALLS: Record<string, () => Promise<unknown>> = {
  chat: () => openai().chat.completions.create(CHAT),
  'chat streamed': async () => { for await (const _ of await openai().chat.completions.create({ ...CHAT, stream: true })); },
  responses: () => openai().responses.create({ model: 'gpt-5', input: 'hi' }),
  'responses streamed': async () => { for await (const _ of await openai().responses.create({ model: 'gpt-5', input: 'hi', stream: true })); },
  messages: () => anthropic().messages.create(MESSAGE),
  'messages streamed': () => anthropic().messages.stream(MESSAGE).finalMessage(),
};
const PROVIDER_OF: Record<string, string> = { chat: 'openai', responses: 'openai', messages: 'anthropic' };

async function failure(call: () => Promise<unknown>): Promise<any> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  throw new Error('the call succeeded');
}

async function ended() {
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  return suite.gw.recorder.forInterception(suite.gw.recorder.interceptions[0].id);
}

async function refusals(provider: string, reason: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'aibridge_refusals_total');
  return (metric?.values.find((v) => v.labels.provider === provider && v.labels.reason === reason)?.value as number | undefined) ?? 0;
}

describe('allowed', () => {
  test('the hook sees who asks for which model through which client; the request goes on as usual', async () => {
    const res = await openai().chat.completions.create(CHAT).withResponse();
    expect(res.data.choices[0].message.content).toBeTruthy();
    expect(seen).toEqual([{
      kind: 'bridged', req: expect.anything(),
      interception: {
        id: res.response.headers.get('x-aibridge-interception-id'), actor: { id: 'alice', metadata: { email: 'alice@example.com' } },
        providerName: 'openai', api: 'chat-completions', model: 'gpt-4o-mini', streaming: false, client: 'openai-node', route: '/v1/chat/completions',
      },
    }]);
    expect((seen[0] as any).req.headers['user-agent']).toMatch(/OpenAI/);
    expect(suite.upstream.requests).toHaveLength(1);
    expect((await ended()).ended).toMatchObject({ status: 'completed', httpStatus: 200 });
    expect((await ended()).ended!.errorCode).toBeUndefined();
  });

  test.each(['responses streamed', 'messages streamed'])('%s: allowed by { allow: true }, streamed as usual', async (name) => {
    hook = () => ({ allow: true });
    await CALLS[name]();
    expect(seen).toHaveLength(1);
    expect(seen[0].interception).toMatchObject({ streaming: true, providerName: PROVIDER_OF[name.split(' ')[0]] });
    expect(suite.upstream.requests).toHaveLength(1);
  });

  test('passthrough: the hook sees the method, the allowlist pattern and the path', async () => {
    const model = await openai().models.retrieve('gpt-4o-mini');
    expect(model.id).toBe('gpt-4o-mini');
    expect(seen).toEqual([{
      kind: 'passthrough', req: expect.anything(),
      interception: { actor: { id: 'alice', metadata: { email: 'alice@example.com' } }, providerName: 'openai', method: 'GET', route: '/v1/models/:id', path: '/v1/models/gpt-4o-mini' },
    }]);
    expect(suite.upstream.requests).toHaveLength(1);
  });

  test('an async hook is waited for', async () => {
    hook = async () => {
      await new Promise((r) => setTimeout(r, 30));
      return true;
    };
    const page = await anthropic().models.list();
    expect(page.data.length).toBeGreaterThan(0);
    expect(suite.upstream.requests).toHaveLength(1);
  });
});

describe('denied', () => {
  test.each(Object.keys(CALLS))('%s: the provider\'s 403 with the reason, nothing upstream, no key, recorded and counted', async (name) => {
    const provider = PROVIDER_OF[name.split(' ')[0]];
    const before = suite.gw.bridge.stats().providers[provider].denied;
    const metricBefore = await refusals(provider, 'forbidden');
    hook = (ctx) => ({ allow: false, reason: `Model ${(ctx.interception as { model: string }).model} is not allowed for your group.` });
    const err = await failure(CALLS[name]);
    const model = provider === 'openai' ? (name.startsWith('chat') ? 'gpt-4o-mini' : 'gpt-5') : 'claude-test-1';
    const reason = `Model ${model} is not allowed for your group.`;
    expect(err.status).toBe(403);
    if (provider === 'openai') {
      expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
      expect(err.error).toEqual({ message: reason, type: 'permission_error', code: 'forbidden' });
    } else {
      expect(err).toBeInstanceOf(Anthropic.PermissionDeniedError);
      expect(err.error).toEqual({ type: 'error', error: { type: 'permission_error', message: reason } });
    }
    expect(err.message).toContain(reason);
    expect(suite.upstream.requests).toHaveLength(0);
    const r = await ended();
    expect(r.interception).toMatchObject({ initiatorId: 'alice', providerName: provider, model, streaming: name.endsWith('streamed') });
    expect(r.ended).toEqual({
      id: r.interception!.id, endedAt: expect.any(Date), status: 'failed', httpStatus: 403, errorType: 'denied', errorCode: 'forbidden', errorMessage: reason, gatewayMs: expect.any(Number),
    });
    expect(r.ended!.credentialHint).toBeUndefined();
    expect(suite.gw.bridge.stats().providers[provider]).toMatchObject({ denied: before + 1, upstreamAttempts: expect.any(Number) });
    expect(await refusals(provider, 'forbidden')).toBe(metricBefore + 1);
  });

  test('false denies with the default reason', async () => {
    hook = () => false;
    const res = await fetch(`${suite.gw.url}/openai/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-bob' }, body: JSON.stringify(CHAT),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: { message: 'This request is not allowed by the gateway\'s policy.', type: 'permission_error', code: 'forbidden' } });
    expect(res.headers.get('x-aibridge-interception-id')).toBe(suite.gw.recorder.interceptions[0].id);
    expect(suite.upstream.requests).toHaveLength(0);
  });

  test('an async denial', async () => {
    hook = async () => {
      await new Promise((r) => setTimeout(r, 20));
      return { allow: false, reason: 'Not during the freeze.' };
    };
    const err = await failure(CALLS.messages);
    expect(err.status).toBe(403);
    expect(err.error.error.message).toBe('Not during the freeze.');
    expect(suite.upstream.requests).toHaveLength(0);
  });

  test('passthrough routes are authorized too: 403 in the provider\'s shape, nothing upstream, the passthrough recorded', async () => {
    hook = (ctx) => ctx.kind === 'passthrough' ? { allow: false, reason: `${ctx.interception.method} ${ctx.interception.route} is blocked for your group.` } : true;
    const before = suite.gw.bridge.stats().providers.anthropic.denied;
    const openaiErr = await failure(() => openai().models.list());
    expect(openaiErr).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(openaiErr.error).toEqual({ message: 'GET /v1/models is blocked for your group.', type: 'permission_error', code: 'forbidden' });
    const anthropicErr = await failure(() => anthropic().messages.countTokens(MESSAGE));
    expect(anthropicErr).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(anthropicErr.error).toEqual({ type: 'error', error: { type: 'permission_error', message: 'POST /v1/messages/count_tokens is blocked for your group.' } });
    expect(suite.upstream.requests).toHaveLength(0);
    expect(suite.gw.bridge.stats().providers.anthropic.denied).toBe(before + 1);
    await eventually(() => expect(suite.gw.recorder.passthroughs).toHaveLength(2));
    expect(suite.gw.recorder.passthroughs.map((p) => [p.initiatorId, p.path, p.httpStatus, p.credentialHint])).toEqual([
      ['alice', '/v1/models', 403, undefined], ['alice', '/v1/messages/count_tokens', 403, undefined],
    ]);
  });

  test('no actor: 401 before the hook is asked', async () => {
    const res = await fetch(`${suite.gw.url}/openai/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(CHAT) });
    expect(res.status).toBe(401);
    expect(seen).toHaveLength(0);
  });
});

describe('a failing hook fails closed', () => {
  const SECRET = 'db password is hunter2';

  test.each(['chat', 'responses', 'messages'])('%s: a hook that throws is a 500 that says nothing of why; logged, recorded, counted', async (name) => {
    const provider = PROVIDER_OF[name];
    const before = suite.gw.bridge.stats().providers[provider].authorizeFailed;
    hook = () => { throw new Error(SECRET); };
    const err = await failure(CALLS[name]);
    expect(err.status).toBe(500);
    expect(JSON.stringify(err.error)).toContain('The gateway could not authorize this request.');
    expect(JSON.stringify(err.error)).not.toContain('hunter2');
    expect(suite.upstream.requests).toHaveLength(0);
    const r = await ended();
    expect(r.ended).toMatchObject({ status: 'failed', httpStatus: 500, errorType: 'server_error', errorCode: 'authorize_failed' });
    expect(JSON.stringify(r.ended)).not.toContain('hunter2');
    expect(suite.gw.logs.lines.some((l) => l.includes('authorize') && l.includes('hunter2'))).toBe(true);
    expect(suite.gw.bridge.stats().providers[provider].authorizeFailed).toBe(before + 1);
  });

  test('a hook that rejects is a 500', async () => {
    hook = async () => { throw new Error(SECRET); };
    const res = await fetch(`${suite.gw.url}/openai/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' }, body: JSON.stringify({ model: 'gpt-5', input: 'hi' }) });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { message: 'The gateway could not authorize this request.', type: 'server_error', code: 'authorize_failed' } });
    expect(suite.upstream.requests).toHaveLength(0);
  });

  test('a hook that never answers is a 500 at authorizeTimeoutMs', async () => {
    hook = () => new Promise<boolean>(() => undefined);
    const began = Date.now();
    const err = await failure(CALLS['messages streamed']);
    expect(err.status).toBe(500);
    expect(err.error).toEqual({ type: 'error', error: { type: 'api_error', message: 'The gateway could not authorize this request.' } });
    expect(Date.now() - began).toBeGreaterThanOrEqual(190);
    expect(Date.now() - began).toBeLessThan(2_000);
    expect(suite.upstream.requests).toHaveLength(0);
    expect((await ended()).ended).toMatchObject({ httpStatus: 500, errorCode: 'authorize_failed' });
    expect(suite.gw.logs.lines.some((l) => l.includes('authorizeTimeoutMs'))).toBe(true);
  });

  test('a denial that comes after authorizeTimeoutMs is not read: the request is refused and counted once, as failed', async () => {
    const provider = PROVIDER_OF.chat;
    const { denied, authorizeFailed } = suite.gw.bridge.stats().providers[provider];
    let answered!: () => void;
    const late = new Promise<void>((resolve) => (answered = resolve));
    hook = () => new Promise((resolve) => setTimeout(() => {
      resolve({ allow: false, reason: 'too late to matter' });
      answered();
    }, 400));
    const err = await failure(CALLS.chat);
    expect(err.status).toBe(500);
    await late;
    await new Promise((r) => setTimeout(r, 20));
    expect(suite.gw.bridge.stats().providers[provider]).toMatchObject({ denied, authorizeFailed: authorizeFailed + 1 });
    expect(suite.gw.logs.lines.some((l) => l.includes('too late to matter'))).toBe(false);
  });

  test('passthrough: a hook that never answers is a 500 too', async () => {
    hook = () => new Promise<boolean>(() => undefined);
    const err = await failure(() => openai().models.list());
    expect(err.status).toBe(500);
    expect(err.error).toEqual({ message: 'The gateway could not authorize this request.', type: 'server_error', code: 'authorize_failed' });
    expect(suite.upstream.requests).toHaveLength(0);
  });

  test.each([
    ['undefined', undefined], ['a string', 'yes'], ['an object without allow', { reason: 'x' }], ['null', null],
  ])('a hook answering %s is a 500', async (_name, verdict) => {
    hook = () => verdict as never;
    const err = await failure(CALLS.chat);
    expect(err.status).toBe(500);
    expect(err.error.code).toBe('authorize_failed');
    expect(suite.upstream.requests).toHaveLength(0);
  });
});
