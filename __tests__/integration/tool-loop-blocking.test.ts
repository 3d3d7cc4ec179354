/** The inner tool loop on blocking chat completions: what the upstream receives each turn and what the client gets. */
import OpenAI from 'openai';
import { openaiProvider } from '../../lib';
import { chatScript } from '../helpers/chat-script';
import { bridgeSuite, eventually } from '../helpers/gateway';
import { TestInjector } from '../helpers/test-injector';

const injector = new TestInjector(3);
const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ baseURL: url, keys: ['sk-loop-key-0000000000001', 'sk-loop-key-0000000000002'] })], tools: injector }));
const client = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0 });
const ask = (extra: Record<string, unknown> = {}) => client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is 2+3?' }], ...extra } as never) as unknown as Promise<OpenAI.ChatCompletion>;

beforeEach(() => {
  injector.calls.length = 0;
});

test('an injected call is run and the model is called again; the client gets one answer with summed usage', async () => {
  const script = chatScript([
    { toolCalls: [{ id: 'call_1', name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' }], usage: { prompt_tokens: 20, completion_tokens: 7 } },
    { text: 'It is 5.', usage: { prompt_tokens: 40, completion_tokens: 4 } },
  ]);
  suite.upstream.behaviour = script;
  const answer = await ask();
  expect(answer.choices[0].message.content).toBe('It is 5.');
  expect(answer.choices[0].message.tool_calls).toBeUndefined();
  expect(answer.usage).toMatchObject({ prompt_tokens: 60, completion_tokens: 11, total_tokens: 71 });
  expect(injector.calls.map((c) => [c.name, c.arguments])).toEqual([['bmcp_calc_add', { a: 2, b: 3 }]]);

  const [first, second] = script.calls;
  expect(first.json.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(['bmcp_calc_add', 'bmcp_calc_fail', 'bmcp_calc_throw', 'bmcp_calc_hang']);
  expect(first.json.parallel_tool_calls).toBe(false);
  expect(second.json.messages.slice(1)).toEqual([
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: '5' },
  ]);

  const id = suite.gw.recorder.interceptions[0].id;
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  const records = suite.gw.recorder.forInterception(id);
  expect(records.ended).toMatchObject({ status: 'completed', httpStatus: 200 });
  expect(records.tokenUsages.map((u) => [u.msgId, u.input, u.output])).toEqual([['chatcmpl-step0', 20, 7], ['chatcmpl-step1', 40, 4]]);
  expect(records.toolUsages).toEqual([expect.objectContaining({
    tool: 'bmcp_calc_add', toolCallId: 'call_1', injected: true, serverUrl: 'http://127.0.0.1:1/mcp', args: { a: 2, b: 3 }, invocationError: undefined, msgId: 'chatcmpl-step0',
  })]);
});

test("the client's own bytes reach the upstream unchanged around the added fields", async () => {
  const script = chatScript([{ text: 'ok' }]);
  suite.upstream.behaviour = script;
  const raw = '{"model":"gpt-4o-mini","seed":12345678901234567890,"temperature":1.0,"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"client_fn","parameters":{"type":"object"}}}]}';
  const res = await fetch(`${suite.gw.url}/openai/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer user-token-alice', 'content-type': 'application/json' }, body: raw });
  expect(res.status).toBe(200);
  const sent = script.calls[0].body;
  expect(sent).toContain('"seed":12345678901234567890,"temperature":1.0,');
  expect(sent.startsWith('{"parallel_tool_calls":false,') || sent.includes('"parallel_tool_calls":false')).toBe(true);
  expect(sent).toContain('"tools":[{"type":"function","function":{"name":"client_fn","parameters":{"type":"object"}}},{"type":"function","function":{"name":"bmcp_calc_add"');
  // One call, nothing ran: the client gets the upstream's bytes.
  expect(await res.json()).toMatchObject({ id: 'chatcmpl-step0', usage: { total_tokens: 15 } });
});

test('failing, throwing and malformed calls become tool errors the model reads; nothing crashes', async () => {
  const script = chatScript([
    { toolCalls: [{ id: 'c1', name: 'bmcp_calc_fail', arguments: '{}' }] },
    { toolCalls: [{ id: 'c2', name: 'bmcp_calc_throw', arguments: '{}' }] },
    { toolCalls: [{ id: 'c3', name: 'bmcp_calc_add', arguments: '{"a":1,' }] },
    { text: 'Sorry.' },
  ]);
  suite.upstream.behaviour = script;
  const answer = await ask();
  expect(answer.choices[0].message.content).toBe('Sorry.');
  const toolMessages = script.calls[3].json.messages.filter((m: { role: string }) => m.role === 'tool');
  expect(toolMessages.map((m: { content: string }) => m.content)).toEqual([
    'Error: calc is out of order',
    'Error: The tool failed: connection to calc lost',
    expect.stringMatching(/^Error: Tool arguments are not valid JSON/),
  ]);
  expect(injector.calls.map((c) => c.name)).toEqual(['bmcp_calc_fail', 'bmcp_calc_throw']); // invalid JSON never reaches the tool
  await eventually(() => expect(suite.gw.recorder.toolUsages).toHaveLength(3));
  expect(suite.gw.recorder.toolUsages.map((t) => [t.toolCallId, t.invocationError])).toEqual([
    ['c1', 'calc is out of order'], ['c2', 'The tool failed: connection to calc lost'], ['c3', expect.stringMatching(/not valid JSON/)],
  ]);
  expect(suite.gw.recorder.toolUsages[2].args).toBe('{"a":1,');
});

test('past maxIterations one last call is made without injected tools', async () => {
  const script = chatScript((req) => (req.json.tools?.some((t: { function: { name: string } }) => t.function.name === 'bmcp_calc_add')
    ? { toolCalls: [{ id: `c${req.json.messages.length}`, name: 'bmcp_calc_add', arguments: '{"a":1,"b":1}' }] }
    : { text: 'Giving up on tools.' }));
  suite.upstream.behaviour = script;
  const answer = await ask();
  expect(answer.choices[0].message.content).toBe('Giving up on tools.');
  expect(script.calls).toHaveLength(4); // 3 with tools (maxIterations), 1 without
  expect(script.calls[3].json.tools).toBeUndefined();
  expect(script.calls[3].json.parallel_tool_calls).toBeUndefined();
  expect(injector.calls).toHaveLength(3);
  expect(answer.usage?.total_tokens).toBe(60);
});

test("a client-defined tool call is returned to the client untouched and never run", async () => {
  suite.upstream.behaviour = chatScript([{ toolCalls: [{ id: 'call_client', name: 'client_fn', arguments: '{"x":1}' }] }]);
  const answer = await ask({ tools: [{ type: 'function', function: { name: 'client_fn', parameters: { type: 'object' } } }] });
  expect(answer.choices[0].message.tool_calls).toEqual([{ id: 'call_client', type: 'function', function: { name: 'client_fn', arguments: '{"x":1}' } }]);
  expect(answer.choices[0].finish_reason).toBe('tool_calls');
  expect(injector.calls).toHaveLength(0);
  await eventually(() => expect(suite.gw.recorder.toolUsages).toEqual([expect.objectContaining({ tool: 'client_fn', injected: false })]));
});

test("a turn mixing injected and client calls hands back only the client's call; the injected call is not run", async () => {
  suite.upstream.behaviour = chatScript([{ toolCalls: [
    { id: 'c_inj', name: 'bmcp_calc_add', arguments: '{"a":1,"b":2}' },
    { id: 'c_cli', name: 'client_fn', arguments: '{}' },
  ] }]);
  const answer = await ask({ tools: [{ type: 'function', function: { name: 'client_fn', parameters: { type: 'object' } } }] });
  expect(answer.choices[0].message.tool_calls?.map((c) => c.id)).toEqual(['c_cli']);
  expect(injector.calls).toHaveLength(0);
  await eventually(() => expect(suite.gw.recorder.toolUsages).toHaveLength(2));
  expect(suite.gw.recorder.toolUsages[0]).toMatchObject({ toolCallId: 'c_inj', injected: true, invocationError: expect.stringMatching(/^Not run/) });
});

test('a 429 on the second iteration fails over to the next key inside the loop', async () => {
  const script = chatScript((req, n) => {
    if (n === 0) return { toolCalls: [{ id: 'c1', name: 'bmcp_calc_add', arguments: '{"a":1,"b":1}' }] };
    if (req.headers.authorization === 'Bearer sk-loop-key-0000000000001') return { error: { status: 429, message: 'slow down', headers: { 'retry-after': '1' } } };
    return { text: 'Two.' };
  });
  suite.upstream.behaviour = script;
  const answer = await ask();
  expect(answer.choices[0].message.content).toBe('Two.');
  expect(script.calls.map((c) => c.headers.authorization)).toEqual(['Bearer sk-loop-key-0000000000001', 'Bearer sk-loop-key-0000000000001', 'Bearer sk-loop-key-0000000000002']);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed', credentialHint: 'sk-l...0002' }));
});

test('an upstream error on a later iteration reaches the client as the upstream sent it', async () => {
  suite.upstream.behaviour = chatScript([
    { toolCalls: [{ id: 'c1', name: 'bmcp_calc_add', arguments: '{"a":1,"b":1}' }] },
    { error: { status: 400, message: 'context too long' } },
  ]);
  await expect(ask()).rejects.toMatchObject({ status: 400, error: { message: 'context too long' } });
  await eventually(() => expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: 400, errorType: 'bad_request' }));
});

test('the client leaving during a tool call aborts the tool and the interception ends aborted', async () => {
  suite.upstream.behaviour = chatScript([{ toolCalls: [{ id: 'c1', name: 'bmcp_calc_hang', arguments: '{}' }] }, { text: 'never' }]);
  const controller = new AbortController();
  const pending = client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hang' }] }, { signal: controller.signal });
  await eventually(() => expect(injector.calls).toHaveLength(1));
  controller.abort();
  await expect(pending).rejects.toThrow();
  await injector.calls[0].aborted;
  await eventually(() => expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'aborted' }));
});

test('the interception links to the tool call the client answered', async () => {
  suite.upstream.behaviour = chatScript([{ text: 'thanks' }]);
  await ask({ messages: [
    { role: 'user', content: 'x' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_prev', type: 'function', function: { name: 'client_fn', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'call_prev', content: 'done' },
  ] });
  await eventually(() => expect(suite.gw.recorder.interceptions[0].correlatingToolCallId).toBe('call_prev'));
});
