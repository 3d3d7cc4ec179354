/** Bounded tool traffic: how many injected tools are offered, how much of one result the model gets, how large the loop's bodies grow. */
import OpenAI from 'openai';
import { anthropicProvider, openaiProvider } from '../../lib';
import type { InjectedTool, ToolCallResult } from '../../lib/tools/types';
import { anthropicScript } from '../helpers/anthropic-script';
import { chatScript } from '../helpers/chat-script';
import { bridgeSuite, eventually } from '../helpers/gateway';

const MANY = 10;
const RESULT_CAP = 999;
const BODY_CAP = 6000;

/** Tools `bmcp_many_t09` … `bmcp_many_t00` (listed in reverse), and `bmcp_big_read`, whose result is `resultText`. */
class BigInjector {
  readonly maxIterations = 50;
  resultText = '';
  calls = 0;
  readonly tools: InjectedTool[] = [
    ...Array.from({ length: MANY }, (_, i) => ({ name: `bmcp_many_t${String(MANY - 1 - i).padStart(2, '0')}`, inputSchema: { type: 'object' } })),
    { name: 'bmcp_big_read', inputSchema: { type: 'object' } },
  ];
  listTools(): InjectedTool[] {
    return this.tools;
  }
  async callTool(): Promise<ToolCallResult> {
    this.calls++;
    return { content: [{ type: 'text', text: this.resultText }] };
  }
}

const injector = new BigInjector();
const suite = bridgeSuite((url) => ({
  providers: [openaiProvider({ baseURL: url, keys: ['sk-traffic-key-0000000001'] }), anthropicProvider({ baseURL: url.replace(/\/v1$/, ''), keys: ['sk-ant-traffic-00000001'] })],
  tools: injector, maxInjectedTools: 4, maxToolResultBytes: RESULT_CAP, maxBodyBytes: BODY_CAP,
}));
const openai = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0 });
const QUESTION = [{ role: 'user' as const, content: 'Read it.' }];
const readCall = (n: number) => ({ toolCalls: [{ id: `call_${n}`, name: 'bmcp_big_read', arguments: '{}' }] });
const toolNames = (json: any): string[] => (json.tools ?? []).map((t: any) => t.function?.name ?? t.name);

beforeEach(() => {
  injector.calls = 0;
  injector.resultText = '';
});

test('maxInjectedTools: the first tools by name are offered, and what is left out is logged once, not per request', async () => {
  const script = chatScript([{ text: 'ok' }]);
  suite.upstream.behaviour = script;
  await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: QUESTION });
  await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: QUESTION });
  expect(toolNames(script.calls[0].json)).toEqual(['bmcp_big_read', 'bmcp_many_t00', 'bmcp_many_t01', 'bmcp_many_t02']);
  expect(toolNames(script.calls[1].json)).toEqual(toolNames(script.calls[0].json));
  const lines = suite.gw.logs.lines.filter((l) => l.includes('maxInjectedTools'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain('bmcp_many_t09');
});

test('with 127 client tools, one injected tool fits under the 128 tools an upstream accepts', async () => {
  const script = chatScript([{ text: 'ok' }]);
  suite.upstream.behaviour = script;
  const tools = Array.from({ length: 127 }, (_, i) => ({ type: 'function' as const, function: { name: `c${i}`, parameters: { type: 'object' } } }));
  const res = await fetch(`${suite.gw.url}/openai/v1/chat/completions`, {
    method: 'POST', headers: { authorization: 'Bearer user-token-alice', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: QUESTION, tools: tools.slice(0, 40) }),
  });
  expect(res.status).toBe(200);
  expect(toolNames(script.calls[0].json)).toHaveLength(44);
  script.calls.length = 0;
  const big = await fetch(`${suite.gw.url}/openai/v1/chat/completions`, {
    method: 'POST', headers: { authorization: 'Bearer user-token-alice', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: QUESTION, tools: tools.map((t) => ({ type: 'function', function: { name: t.function.name } })) }),
  });
  expect(big.status).toBe(200);
  expect(toolNames(script.calls[0].json).filter((n) => n.startsWith('bmcp_'))).toEqual(['bmcp_big_read']);
});

test('maxToolResultBytes: a long result is cut on a UTF-8 boundary and ends with a note the model reads', async () => {
  injector.resultText = 'é'.repeat(600_000); // 1,200,000 bytes; 'é' is two bytes, so an odd cap falls mid-character
  const script = chatScript([readCall(1), { text: 'Read.' }]);
  suite.upstream.behaviour = script;
  const answer = await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: QUESTION });
  expect(answer.choices[0].message.content).toBe('Read.');
  const toolMessage = script.calls[1].json.messages.find((m: any) => m.role === 'tool');
  const content: string = toolMessage.content;
  // Booleans only: a failure must not print a megabyte of text.
  expect(Buffer.byteLength(content) < RESULT_CAP + 200).toBe(true);
  expect(content.includes('\uFFFD')).toBe(false);
  expect(content.startsWith('é'.repeat(499))).toBe(true);
  expect(content.slice(998 / 2)).toMatch(/^\s*\[truncated by the gateway: 1200000 bytes, showing the first 998\]$/);
});

test('the loop never sends a body past maxBodyBytes: blocking, it ends with a provider-shaped 413 and a failed record', async () => {
  injector.resultText = 'x'.repeat(900);
  const script = chatScript((_req, n) => readCall(n));
  suite.upstream.behaviour = script;
  const err = await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: QUESTION }).catch((e) => e);
  expect(err).toBeInstanceOf(OpenAI.APIError);
  expect(err.status).toBe(413);
  expect(err.error).toMatchObject({ code: 'loop_body_too_large', type: expect.any(String) });
  expect(err.message).not.toContain('Invalid string length');
  for (const call of script.calls) expect(Buffer.byteLength(call.body)).toBeLessThanOrEqual(BODY_CAP);
  expect(script.calls.length).toBeLessThan(10);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toEqual([expect.objectContaining({ status: 'failed', httpStatus: 413, errorType: 'bad_request' })]));
});

test('the same cap on a Messages stream: one error event, nothing past the cap sent upstream', async () => {
  injector.resultText = 'x'.repeat(900);
  const script = anthropicScript((_req, n) => ({ toolCalls: [{ id: `toolu_${n}`, name: 'bmcp_big_read', input: '{}' }] }));
  suite.upstream.behaviour = script;
  const res = await fetch(`${suite.gw.url}/anthropic/v1/messages`, {
    method: 'POST', headers: { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-test-1', max_tokens: 64, stream: true, messages: QUESTION }),
  });
  const text = await res.text();
  expect(text.match(/^event: error$/gm)).toHaveLength(1);
  expect(text).toMatch(/"type":"request_too_large","message":"The tool loop's next request .*maxBodyBytes/);
  for (const call of script.calls) expect(Buffer.byteLength(call.body)).toBeLessThanOrEqual(BODY_CAP);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toEqual([expect.objectContaining({ status: 'failed' })]));
});
