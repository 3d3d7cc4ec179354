/** responseGuard: a blocking answer is read before the client gets it, and relayed, blocked (502) or edited; streams are not read. */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { anthropicProvider, maskSecretsAndEmails, openaiProvider, type ResponseGuardContext, type ResponseGuardHook } from '../../lib';
import { bridgeSuite, eventually } from '../helpers/gateway';

let hook: ResponseGuardHook = () => true;
const seen: ResponseGuardContext[] = [];
const suite = bridgeSuite((url) => ({
  providers: [openaiProvider({ keys: ['sk-rguard-openai-000000000001111'], baseURL: url }), anthropicProvider({ keys: ['sk-ant-rguard-00000000000002222'], baseURL: url.replace(/\/v1$/, '') })],
  responseGuard: (ctx) => {
    seen.push(ctx);
    return hook(ctx);
  },
  guardTimeoutMs: 200,
}));
beforeEach(() => {
  seen.length = 0;
  hook = () => true;
});

const openai = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0 });
const anthropic = () => new Anthropic({ authToken: 'user-token-alice', baseURL: `${suite.gw.url}/anthropic`, maxRetries: 0 });
const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };
const MESSAGE = { model: 'claude-test-1', max_tokens: 64, messages: [{ role: 'user' as const, content: 'hi' }] };

async function ended() {
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  return suite.gw.recorder.forInterception(suite.gw.recorder.interceptions[0].id);
}

test('allowed: the client gets the upstream\'s bytes; the hook saw the answer and the interception', async () => {
  const res = await openai().chat.completions.create(CHAT).withResponse();
  expect(seen).toHaveLength(1);
  expect(seen[0].interception).toMatchObject({ id: res.response.headers.get('x-aibridge-interception-id'), api: 'chat-completions', model: 'gpt-4o-mini', client: 'openai-node' });
  expect(seen[0].response.status).toBe(200);
  expect(seen[0].response.json).toEqual(res.data);
  expect((await ended()).ended).toMatchObject({ status: 'completed', httpStatus: 200 });
  expect((await ended()).ended!.guardEdits).toBeUndefined();
});

test('blocked: the provider\'s 502 with the reason, recorded denied / guard_blocked, usage still recorded', async () => {
  const before = suite.gw.bridge.stats().providers.anthropic.guardBlocked;
  hook = async () => ({ block: 'The answer quoted internal data.' });
  const err: any = await anthropic().messages.create(MESSAGE).catch((e: unknown) => e);
  expect(err.status).toBe(502);
  expect(err.error).toEqual({ type: 'error', error: { type: 'api_error', message: 'The answer quoted internal data.' } });
  expect(suite.upstream.requests).toHaveLength(1);
  const r = await ended();
  expect(r.ended).toMatchObject({ status: 'failed', httpStatus: 502, errorType: 'denied', errorCode: 'guard_blocked', errorMessage: 'The answer quoted internal data.' });
  expect(r.tokenUsages.length).toBeGreaterThan(0);
  expect(suite.gw.bridge.stats().providers.anthropic.guardBlocked).toBe(before + 1);
});

test('edited: the client gets the edit, framed anew; recorded as a response edit', async () => {
  hook = ({ response }) => {
    const json = response.json as any;
    json.choices[0].message.content = maskSecretsAndEmails(`${json.choices[0].message.content} write to ops@example.com`);
    return { edit: json };
  };
  const completion = await openai().chat.completions.create(CHAT);
  expect(completion.choices[0].message.content).toMatch(/ write to \[email\]$/);
  expect((await ended()).ended).toMatchObject({ status: 'completed', httpStatus: 200, guardEdits: ['response'] });
});

test('a response guard that throws: 500, the cause logged and not sent', async () => {
  hook = () => { throw new Error('scanner down'); };
  const err: any = await openai().chat.completions.create(CHAT).catch((e: unknown) => e);
  expect(err.status).toBe(500);
  expect(err.error).toEqual({ message: 'The gateway could not check this request against its guardrails.', type: 'server_error', code: 'guard_failed' });
  expect(suite.gw.logs.lines.some((l) => l.includes('responseGuard') && l.includes('scanner down'))).toBe(true);
  expect((await ended()).ended).toMatchObject({ httpStatus: 500, errorCode: 'guard_failed' });
});

test('streamed answers are not read', async () => {
  hook = () => ({ block: 'never' });
  const text = await anthropic().messages.stream(MESSAGE).finalText();
  expect(text.length).toBeGreaterThan(0);
  expect(seen).toHaveLength(0);
  await ended();
});
