/** The inner tool loop on Anthropic Messages: injected tools and tool_choice, tool_result turns, one coherent stream for the client. */
import Anthropic from '@anthropic-ai/sdk';
import { anthropicProvider } from '../../lib';
import { anthropicScript } from '../helpers/anthropic-script';
import { bridgeSuite, eventually } from '../helpers/gateway';
import { TestInjector } from '../helpers/test-injector';

const injector = new TestInjector(3);
const suite = bridgeSuite((url) => ({ providers: [anthropicProvider({ keys: ['sk-ant-loop-aaaaaaaa0001'], baseURL: url.replace(/\/v1$/, '') })], tools: injector, streamKeepAliveMs: 20 }));
const client = () => new Anthropic({ authToken: 'user-token-alice', baseURL: `${suite.gw.url}/anthropic`, maxRetries: 0 });
const PARAMS = { model: 'claude-test-1', max_tokens: 512, messages: [{ role: 'user' as const, content: 'What is 2+3?' }] };
const ADD = { id: 'toolu_add', name: 'bmcp_calc_add', input: '{"a":2,"b":3}' };

async function rawStream(body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${suite.gw.url}/anthropic/v1/messages`, {
    method: 'POST', headers: { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' },
    body: JSON.stringify({ ...PARAMS, stream: true, ...body }),
  });
  expect(res.status).toBe(200);
  return res.text();
}

function events(text: string): Array<{ name: string; data: any }> {
  return text.split('\n\n').filter((b) => b.startsWith('event: ')).map((b) => {
    const [head, data] = b.split('\n');
    return { name: head.slice(7), data: JSON.parse(data.slice(6)) };
  });
}

beforeEach(() => {
  injector.calls.length = 0;
});

test('blocking: tools appended after the client\'s, parallel calls disabled, signed thinking and tool_result sent back, usage summed', async () => {
  const script = anthropicScript([
    { thinking: 'I should add.', toolCalls: [ADD], usage: { input_tokens: 20, output_tokens: 7 } },
    { text: 'It is 5.', usage: { input_tokens: 40, output_tokens: 4 } },
  ]);
  suite.upstream.behaviour = script;
  const clientTool = { name: 'client_fn', input_schema: { type: 'object' as const }, cache_control: { type: 'ephemeral' as const } };
  const answer = await client().messages.create({ ...PARAMS, tools: [clientTool], tool_choice: { type: 'auto' } });
  expect(answer.id).toBe('msg_step1');
  expect(answer.content).toEqual([{ type: 'text', text: 'It is 5.' }]);
  expect(answer.usage).toMatchObject({ input_tokens: 60, output_tokens: 11 });
  expect(injector.calls.map((c) => [c.name, c.arguments])).toEqual([['bmcp_calc_add', { a: 2, b: 3 }]]);

  const [first, second] = script.calls;
  expect(first.json.tools[0]).toEqual(clientTool);
  expect(first.json.tools.slice(1).map((t: { name: string }) => t.name)).toEqual(['bmcp_calc_add', 'bmcp_calc_fail', 'bmcp_calc_throw', 'bmcp_calc_hang']);
  expect(first.json.tools[1]).toEqual({ name: 'bmcp_calc_add', description: 'Adds two numbers.', input_schema: injector.tools[0].inputSchema });
  expect(first.json.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
  expect(second.json.messages.slice(1)).toEqual([
    { role: 'assistant', content: [{ type: 'thinking', thinking: 'I should add.', signature: 'sig-step0' }, { type: 'tool_use', id: 'toolu_add', name: 'bmcp_calc_add', input: { a: 2, b: 3 } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_add', content: [{ type: 'text', text: '5' }] }] },
  ]);

  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  const r = suite.gw.recorder.forInterception(suite.gw.recorder.interceptions[0].id);
  expect(r.ended).toMatchObject({ status: 'completed', httpStatus: 200 });
  expect(r.tokenUsages.map((u) => [u.msgId, u.input, u.output])).toEqual([['msg_step0', 20, 7], ['msg_step1', 40, 4]]);
  expect(r.toolUsages).toEqual([expect.objectContaining({ tool: 'bmcp_calc_add', toolCallId: 'toolu_add', injected: true, args: { a: 2, b: 3 }, invocationError: undefined, serverUrl: 'http://127.0.0.1:1/mcp' })]);
  expect(r.modelThoughts.map((t) => [t.msgId, t.content])).toEqual([['msg_step0', 'I should add.']]);
});

test('no tool_choice → auto with parallel calls disabled; tool errors go back with is_error; images as base64 blocks', async () => {
  const image = new TestInjector(3);
  injector.callTool = async (call, ctx) => (call.name === 'bmcp_calc_add'
    ? { content: [{ type: 'text', text: 'see' }, { type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' }] }
    : image.callTool(call, ctx));
  try {
    const script = anthropicScript([
      { toolCalls: [{ id: 'toolu_f', name: 'bmcp_calc_fail', input: '{}' }] },
      { toolCalls: [ADD] },
      { text: 'done' },
    ]);
    suite.upstream.behaviour = script;
    await client().messages.create(PARAMS);
    expect(script.calls[0].json.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(script.calls[1].json.messages[2]).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_f', content: [{ type: 'text', text: 'calc is out of order' }], is_error: true }] });
    expect(script.calls[2].json.messages[4].content[0].content).toEqual([
      { type: 'text', text: 'see' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
    ]);
  } finally {
    injector.callTool = TestInjector.prototype.callTool;
  }
});

test("tool_choice none: nothing is injected and the client's bytes go up unchanged", async () => {
  const script = anthropicScript([{ text: 'no tools' }]);
  suite.upstream.behaviour = script;
  const body = JSON.stringify({ ...PARAMS, tool_choice: { type: 'none' }, tools: [{ name: 'client_fn', input_schema: { type: 'object' } }] });
  const res = await fetch(`${suite.gw.url}/anthropic/v1/messages`, { method: 'POST', headers: { 'x-user-token': 'user-token-alice' }, body });
  expect(res.status).toBe(200);
  expect(script.calls[0].body).toBe(body);
});

test('streaming: one message_start, injected tool_use hidden, indexes without gaps, one summed message_delta, pings while the tool runs', async () => {
  const original = injector.callTool;
  injector.callTool = async (call, ctx) => {
    await new Promise((r) => setTimeout(r, 120));
    return original.call(injector, call, ctx);
  };
  try {
    suite.upstream.behaviour = anthropicScript([
      { thinking: 'Use the tool.', text: 'Let me add. ', toolCalls: [ADD], usage: { input_tokens: 20, output_tokens: 7 } },
      { text: 'It is 5.', usage: { input_tokens: 40, output_tokens: 4 } },
    ]);
    const raw = await rawStream({});
    expect(raw).not.toContain(': keep-alive'); // Anthropic clients get their own keep-alive event
    const all = events(raw);
    expect(all.filter((e) => e.name === 'message_start').map((e) => e.data.message.id)).toEqual(['msg_step0']);
    expect(all.some((e) => e.data.content_block?.type === 'tool_use' || e.data.delta?.type === 'input_json_delta')).toBe(false);
    expect(all.filter((e) => e.name === 'content_block_start').map((e) => [e.data.index, e.data.content_block.type])).toEqual([[0, 'thinking'], [1, 'text'], [2, 'text']]);
    const deltas = all.filter((e) => e.name === 'message_delta');
    expect(deltas.map((e) => [e.data.delta.stop_reason, e.data.usage.input_tokens, e.data.usage.output_tokens])).toEqual([['end_turn', 60, 11]]);
    expect(all[all.length - 1].name).toBe('message_stop');
    expect(all.filter((e) => e.name === 'message_stop')).toHaveLength(1);
    const pings = all.filter((e) => e.name === 'ping');
    expect(pings.length).toBeGreaterThanOrEqual(3); // one per upstream call, and at least one while the tool ran
  } finally {
    injector.callTool = original;
  }
});

test('streaming through the SDK: finalMessage() accepts the loop\'s stream', async () => {
  suite.upstream.behaviour = anthropicScript([
    { text: 'Adding. ', toolCalls: [ADD], usage: { input_tokens: 20, output_tokens: 7 } },
    { text: 'It is 5.', usage: { input_tokens: 40, output_tokens: 4 } },
  ]);
  const texts: string[] = [];
  const stream = client().messages.stream(PARAMS).on('text', (t) => texts.push(t));
  const final = await stream.finalMessage();
  expect(texts.join('')).toBe('Adding. It is 5.');
  expect(final.id).toBe('msg_step0');
  expect(final.content.map((b) => [b.type, b.type === 'text' ? b.text : ''])).toEqual([['text', 'Adding. '], ['text', 'It is 5.']]);
  expect(final.stop_reason).toBe('end_turn');
  expect(final.usage).toMatchObject({ input_tokens: 60, output_tokens: 11 });
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toEqual([expect.objectContaining({ status: 'completed' })]));
});

test('a client tool call in the stream is passed through untouched and ends the loop', async () => {
  suite.upstream.behaviour = anthropicScript([{ toolCalls: [{ id: 'toolu_client', name: 'client_fn', input: '{"q":"x"}' }] }]);
  const final = await client().messages.stream({ ...PARAMS, tools: [{ name: 'client_fn', input_schema: { type: 'object' } }] }).finalMessage();
  expect(final.content).toEqual([{ type: 'tool_use', id: 'toolu_client', name: 'client_fn', input: { q: 'x' } }]);
  expect(final.stop_reason).toBe('tool_use');
  expect(injector.calls).toHaveLength(0);
});

test('a max_tokens stop inside an injected call (cut JSON) becomes a tool error and the loop goes on', async () => {
  const script = anthropicScript([{ fixture: 'max-tokens-cut' }, { text: 'Sorry, again.' }]);
  suite.upstream.behaviour = script;
  const final = await client().messages.stream(PARAMS).finalMessage();
  expect(final.content.map((b) => (b.type === 'text' ? b.text : b.type))).toEqual(['Adding now.', 'Sorry, again.']);
  expect(injector.calls).toHaveLength(0);
  const [assistant, results] = script.calls[1].json.messages.slice(1);
  expect(assistant.content[1]).toEqual({ type: 'tool_use', id: 'toolu_fx_cut', name: 'bmcp_calc_add', input: {} });
  expect(results.content[0]).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_fx_cut', is_error: true });
  expect(results.content[0].content[0].text).toMatch(/not valid JSON/);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  expect(suite.gw.recorder.toolUsages[0]).toMatchObject({ toolCallId: 'toolu_fx_cut', args: '{"a": 2, "b', injected: true, invocationError: expect.stringMatching(/not valid JSON/) });
});

test('the iteration cap keeps the tools (the history needs them) and forbids calls with tool_choice none', async () => {
  const script = anthropicScript([{ toolCalls: [ADD] }]);
  suite.upstream.behaviour = (req, res) => script(req, res);
  const answer = await client().messages.create(PARAMS);
  expect(script.calls).toHaveLength(4); // 3 with tools, one last with calls forbidden
  expect(script.calls[3].json.tool_choice).toEqual({ type: 'none' });
  expect(script.calls[3].json.tools).toHaveLength(4);
  // The last answer still called the injected tool: the client gets neither the call nor a `tool_use` stop.
  expect(answer.stop_reason).toBe('end_turn');
  expect(answer.content.filter((b) => b.type === 'tool_use')).toEqual([]);
});

test('client abort while a tool runs aborts the tool and ends the interception aborted', async () => {
  suite.upstream.behaviour = anthropicScript([{ toolCalls: [{ id: 'toolu_h', name: 'bmcp_calc_hang', input: '{}' }] }]);
  const controller = new AbortController();
  const res = await fetch(`${suite.gw.url}/anthropic/v1/messages`, {
    method: 'POST', signal: controller.signal, headers: { 'x-user-token': 'user-token-alice' },
    body: JSON.stringify({ ...PARAMS, stream: true }),
  });
  await res.body!.getReader().read();
  await eventually(() => expect(injector.calls).toHaveLength(1));
  controller.abort();
  await injector.calls[0].aborted;
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'aborted' });
});
