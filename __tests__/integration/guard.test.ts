/** guard: allow, block or edit each bridged request before any key use, on chat, Responses and Messages, with the real SDKs. */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Registry } from 'prom-client';
import { anthropicProvider, maskSecretsAndEmails, openaiProvider, type GuardContext, type GuardHook } from '../../lib';
import { bridgeSuite, eventually } from '../helpers/gateway';

const OPENAI_KEY = 'sk-guard-openai-00000000000001111';
const ANTHROPIC_KEY = 'sk-ant-guard-000000000000002222';
const registry = new Registry();
let hook: GuardHook = () => true;
const seen: GuardContext[] = [];
const suite = bridgeSuite((url) => ({
  providers: [openaiProvider({ keys: [OPENAI_KEY], baseURL: url }), anthropicProvider({ keys: [ANTHROPIC_KEY], baseURL: url.replace(/\/v1$/, '') })],
  guard: (ctx) => {
    seen.push(ctx);
    return hook(ctx);
  },
  guardTimeoutMs: 200,
  metrics: { registry },
}));
beforeEach(() => {
  seen.length = 0;
  hook = () => true;
});

const openai = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0 });
const anthropic = () => new Anthropic({ authToken: 'user-token-alice', baseURL: `${suite.gw.url}/anthropic`, maxRetries: 0 });
const SECRET_PROMPT = 'mail bob@example.com the key sk-live-abcdefghijklmnop1234';
const MASKED_PROMPT = 'mail [email] the key [secret]';
const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: SECRET_PROMPT }] };
const MESSAGE = { model: 'claude-test-1', max_tokens: 64, messages: [{ role: 'user' as const, content: SECRET_PROMPT }] };
const RESPONSE = { model: 'gpt-5', input: SECRET_PROMPT };

/** Each bridged API through its SDK, blocking or streamed. */
const CALLS: Record<string, () => Promise<unknown>> = {
  chat: () => openai().chat.completions.create(CHAT),
  'chat streamed': async () => { for await (const _ of await openai().chat.completions.create({ ...CHAT, stream: true })); },
  responses: () => openai().responses.create(RESPONSE),
  'responses streamed': async () => { for await (const _ of await openai().responses.create({ ...RESPONSE, stream: true })); },
  messages: () => anthropic().messages.create(MESSAGE),
  'messages streamed': () => anthropic().messages.stream(MESSAGE).finalMessage(),
};
const PROVIDER_OF: Record<string, string> = { chat: 'openai', responses: 'openai', messages: 'anthropic' };
const providerOf = (name: string) => PROVIDER_OF[name.split(' ')[0]];

/** The prompt the upstream received, wherever the API puts it. */
function sentPrompt(json: any): string {
  if (typeof json.input === 'string') return json.input;
  return json.messages[json.messages.length - 1].content;
}

/** Masks every string of the request's last message: the documented example, in each API's words. */
const masking: GuardHook = ({ request }) => {
  const json = request.json as any;
  if (typeof json.input === 'string') return { edit: { ...json, input: maskSecretsAndEmails(json.input) } };
  const messages = json.messages.map((m: any) => (typeof m.content === 'string' ? { ...m, content: maskSecretsAndEmails(m.content) } : m));
  return { edit: { ...json, messages } };
};

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

async function edits(provider: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'aibridge_guard_edits_total');
  return (metric?.values.find((v) => v.labels.provider === provider && v.labels.what === 'request')?.value as number | undefined) ?? 0;
}

describe('allowed', () => {
  test('the guard sees the interception and the body as sent; the client\'s bytes reach the upstream unchanged', async () => {
    const res = await openai().chat.completions.create(CHAT).withResponse();
    expect(res.data.choices[0].message.content).toBeTruthy();
    expect(seen).toHaveLength(1);
    expect(seen[0].interception).toEqual({
      id: res.response.headers.get('x-aibridge-interception-id'), actor: { id: 'alice', metadata: { email: 'alice@example.com' } },
      providerName: 'openai', api: 'chat-completions', model: 'gpt-4o-mini', streaming: false, client: 'openai-node', route: '/v1/chat/completions',
    });
    expect(seen[0].request.json).toEqual(CHAT);
    expect(suite.upstream.requests).toHaveLength(1);
    expect(suite.upstream.requests[0].body).toBe(seen[0].request.body.toString('utf8'));
    const r = await ended();
    expect(r.ended).toMatchObject({ status: 'completed', httpStatus: 200 });
    expect(r.ended!.guardEdits).toBeUndefined();
    expect(r.promptUsages.map((p) => p.prompt)).toEqual([SECRET_PROMPT]);
  });

  test.each(['responses streamed', 'messages streamed'])('%s: an async guard answering undefined lets it go on', async (name) => {
    hook = async () => undefined;
    await CALLS[name]();
    expect(seen).toHaveLength(1);
    expect(seen[0].interception).toMatchObject({ streaming: true, providerName: providerOf(name) });
    expect(suite.upstream.requests).toHaveLength(1);
    await ended();
  });
});

describe('blocked', () => {
  test.each(Object.keys(CALLS))('%s: the provider\'s 400 with the reason, nothing upstream, recorded denied / guard_blocked, counted', async (name) => {
    const provider = providerOf(name);
    const before = suite.gw.bridge.stats().providers[provider].guardBlocked;
    const metricBefore = await refusals(provider, 'guard_blocked');
    const reason = 'The prompt holds an e-mail address; remove it and try again.';
    hook = ({ request }) => (JSON.stringify(request.json).includes('@') ? { block: reason } : true);
    const err = await failure(CALLS[name]);
    expect(err.status).toBe(400);
    if (provider === 'openai') {
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect(err.error).toEqual({ message: reason, type: 'invalid_request_error', code: 'guard_blocked' });
    } else {
      expect(err).toBeInstanceOf(Anthropic.BadRequestError);
      expect(err.error).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: reason } });
    }
    expect(suite.upstream.requests).toHaveLength(0);
    const r = await ended();
    expect(r.interception).toMatchObject({ initiatorId: 'alice', providerName: provider, streaming: name.endsWith('streamed') });
    expect(r.ended).toEqual({
      id: r.interception!.id, endedAt: expect.any(Date), status: 'failed', httpStatus: 400, errorType: 'denied', errorCode: 'guard_blocked',
      errorMessage: reason, gatewayMs: expect.any(Number),
    });
    expect(suite.gw.bridge.stats().providers[provider].guardBlocked).toBe(before + 1);
    expect(await refusals(provider, 'guard_blocked')).toBe(metricBefore + 1);
    // What was blocked is still on record (as recordContent says).
    expect(r.promptUsages.map((p) => p.prompt)).toEqual([SECRET_PROMPT]);
  });

  test('false blocks with the default reason, after an async wait', async () => {
    hook = async () => {
      await new Promise((r) => setTimeout(r, 20));
      return false;
    };
    const err = await failure(CALLS.chat);
    expect(err.status).toBe(400);
    expect(err.error.message).toBe('This request was blocked by the gateway\'s guardrails.');
    expect(suite.upstream.requests).toHaveLength(0);
    expect((await ended()).ended).toMatchObject({ errorCode: 'guard_blocked' });
  });
});

describe('edited', () => {
  test.each(Object.keys(CALLS))('%s: the upstream receives the edited body; recorded as edited, with the prompt sent', async (name) => {
    const before = suite.gw.bridge.stats().providers[providerOf(name)].guardEdited;
    const metricBefore = await edits(providerOf(name));
    hook = masking;
    await CALLS[name]();
    expect(suite.upstream.requests).toHaveLength(1);
    const sent = suite.upstream.requests[0].json;
    expect(sentPrompt(sent)).toBe(MASKED_PROMPT);
    expect(suite.upstream.requests[0].body).not.toContain('bob@example.com');
    const r = await ended();
    expect(r.ended).toMatchObject({ status: 'completed', httpStatus: 200, guardEdits: ['request'] });
    expect(r.promptUsages.map((p) => p.prompt)).toEqual([MASKED_PROMPT]);
    expect(suite.gw.bridge.stats().providers[providerOf(name)].guardEdited).toBe(before + 1);
    expect(await edits(providerOf(name))).toBe(metricBefore + 1);
  });

  test('an edit given as bytes is sent as those bytes', async () => {
    const bytes = Buffer.from(JSON.stringify({ ...CHAT, messages: [{ role: 'user', content: 'edited' }] }));
    hook = () => ({ edit: bytes });
    await openai().chat.completions.create(CHAT);
    expect(suite.upstream.requests[0].body).toBe(bytes.toString('utf8'));
    expect((await ended()).ended).toMatchObject({ guardEdits: ['request'] });
  });

  test('an edit the API refuses is a 500, nothing upstream', async () => {
    hook = () => ({ edit: { messages: 'not a list' } });
    const err = await failure(CALLS.chat);
    expect(err.status).toBe(500);
    expect(err.error).toEqual({ message: 'The gateway could not check this request against its guardrails.', type: 'server_error', code: 'guard_failed' });
    expect(suite.upstream.requests).toHaveLength(0);
    expect(suite.gw.logs.lines.some((l) => l.includes('edited the body into a request the API refuses'))).toBe(true);
    expect((await ended()).ended).toMatchObject({ errorCode: 'guard_failed' });
  });
});

describe('fails closed', () => {
  const BROKEN: Record<string, GuardHook> = {
    throws: () => { throw new Error('policy engine down'); },
    rejects: async () => { throw new Error('policy engine down'); },
    'times out': () => new Promise(() => undefined),
    'answers no verdict': () => ({ allow: true }) as never,
  };
  test.each(Object.keys(BROKEN))('a guard that %s: 500, nothing upstream, recorded server_error / guard_failed, the cause logged not sent', async (what) => {
    const before = suite.gw.bridge.stats().providers.anthropic.guardFailed;
    hook = BROKEN[what];
    const err = await failure(CALLS.messages);
    expect(err.status).toBe(500);
    expect(err.error).toEqual({ type: 'error', error: { type: 'api_error', message: 'The gateway could not check this request against its guardrails.' } });
    expect(JSON.stringify(err.error)).not.toContain('policy engine');
    expect(suite.upstream.requests).toHaveLength(0);
    const r = await ended();
    expect(r.ended).toMatchObject({ status: 'failed', httpStatus: 500, errorType: 'server_error', errorCode: 'guard_failed' });
    expect(suite.gw.bridge.stats().providers.anthropic.guardFailed).toBe(before + 1);
  });
});

test('a verdict that comes after guardTimeoutMs is not read: the request is counted once, as failed', async () => {
  const { guardBlocked, guardFailed } = suite.gw.bridge.stats().providers.openai;
  let answered!: () => void;
  const late = new Promise<void>((resolve) => (answered = resolve));
  hook = () => new Promise((resolve) => setTimeout(() => {
    resolve({ block: 'too late to matter' });
    answered();
  }, 300));
  const err = await failure(CALLS.chat);
  expect(err.status).toBe(500);
  await late;
  await new Promise((r) => setTimeout(r, 20));
  expect(suite.gw.bridge.stats().providers.openai).toMatchObject({ guardBlocked, guardFailed: guardFailed + 1 });
  expect(suite.gw.logs.lines.some((l) => l.includes('too late to matter'))).toBe(false);
  await ended();
});
