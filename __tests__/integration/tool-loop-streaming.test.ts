/** The inner tool loop on streamed chat completions: text live, injected calls hidden, one coherent stream. */
import OpenAI from 'openai';
import { openaiProvider } from '../../lib';
import { chatScript } from '../helpers/chat-script';
import { bridgeSuite, eventually } from '../helpers/gateway';
import { TestInjector } from '../helpers/test-injector';

const injector = new TestInjector(3);
const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ baseURL: url, keys: ['sk-loop-key-0000000000001', 'sk-loop-key-0000000000002'] })], tools: injector, streamKeepAliveMs: 20 }));
const client = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0 });

async function rawStream(body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${suite.gw.url}/openai/v1/chat/completions`, {
    method: 'POST', headers: { authorization: 'Bearer user-token-alice', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'What is 2+3?' }], ...body }),
  });
  expect(res.status).toBe(200);
  return res.text();
}

function dataEvents(text: string): string[] {
  return text.split('\n\n').filter((b) => b.startsWith('data: ')).map((b) => b.slice(6));
}

beforeEach(() => {
  injector.calls.length = 0;
});

test('text of every iteration is relayed, the injected call never reaches the client, finalChatCompletion accepts the stream', async () => {
  const script = chatScript([
    { text: 'Let me add. ', toolCalls: [{ id: 'call_1', name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' }], usage: { prompt_tokens: 20, completion_tokens: 7 } },
    { text: 'It is 5.', usage: { prompt_tokens: 40, completion_tokens: 4 } },
  ]);
  suite.upstream.behaviour = script;
  const stream = client().chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is 2+3?' }], stream_options: { include_usage: true } });
  const deltas: string[] = [];
  stream.on('content', (delta) => deltas.push(delta));
  const final = await stream.finalChatCompletion();
  expect(deltas.join('')).toBe('Let me add. It is 5.');
  expect(final.id).toBe('chatcmpl-step0');
  expect(final.choices[0].message.content).toBe('Let me add. It is 5.');
  expect(final.choices[0].message.tool_calls ?? []).toEqual([]);
  expect(final.choices[0].finish_reason).toBe('stop');
  expect(final.usage).toMatchObject({ prompt_tokens: 60, completion_tokens: 11, total_tokens: 71 });
  expect(injector.calls).toHaveLength(1);
  expect(script.calls[1].json.messages.slice(1)).toEqual([
    { role: 'assistant', content: 'Let me add. ', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: '5' },
  ]);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed' });
  expect(suite.gw.recorder.tokenUsages.map((u) => u.msgId)).toEqual(['chatcmpl-step0', 'chatcmpl-step1']);
});

test('one id, one [DONE], no tool_calls finish, no usage chunk unless asked, no "usage":null', async () => {
  suite.upstream.behaviour = chatScript([
    { toolCalls: [{ id: 'call_1', name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' }] },
    { text: 'Five.' },
  ]);
  const events = dataEvents(await rawStream({}));
  expect(events.filter((e) => e === '[DONE]')).toHaveLength(1);
  expect(events[events.length - 1]).toBe('[DONE]');
  const chunks = events.filter((e) => e !== '[DONE]').map((e) => JSON.parse(e));
  expect(new Set(chunks.map((c) => c.id))).toEqual(new Set(['chatcmpl-step0']));
  expect(chunks.some((c) => c.choices[0]?.delta?.tool_calls)).toBe(false);
  expect(chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean)).toEqual(['stop']);
  expect(chunks.some((c) => 'usage' in c)).toBe(false);
  expect(chunks.filter((c) => c.choices[0]?.delta?.role)).toHaveLength(1);
});

test('keep-alive comments flow while a tool runs', async () => {
  const slow = new TestInjector(3);
  const original = slow.callTool.bind(slow);
  slow.callTool = async (call, ctx) => {
    await new Promise((r) => setTimeout(r, 150));
    return original(call, ctx);
  };
  injector.callTool = slow.callTool;
  try {
    suite.upstream.behaviour = chatScript([{ toolCalls: [{ id: 'c', name: 'bmcp_calc_add', arguments: '{"a":1,"b":1}' }] }, { text: 'Two.' }]);
    const text = await rawStream({});
    expect((text.match(/^: keep-alive$/gm) ?? []).length).toBeGreaterThanOrEqual(2);
  } finally {
    injector.callTool = TestInjector.prototype.callTool.bind(injector);
  }
});

test('a client tool call streams to the client with its index; hidden calls leave no gap', async () => {
  suite.upstream.behaviour = chatScript([{ toolCalls: [{ id: 'call_client', name: 'client_fn', arguments: '{"x":1}' }] }]);
  const stream = client().chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'client_fn', parameters: { type: 'object' } } }] });
  const final = await stream.finalChatCompletion();
  expect(final.choices[0].message.tool_calls).toEqual([{ id: 'call_client', type: 'function', function: { name: 'client_fn', arguments: '{"x":1}' } }]);
  expect(final.choices[0].finish_reason).toBe('tool_calls');
  expect(injector.calls).toHaveLength(0);
});

test('a mixed turn: the client call keeps index 0, the injected one is hidden and not run', async () => {
  suite.upstream.behaviour = chatScript([{ toolCalls: [
    { id: 'c_inj', name: 'bmcp_calc_add', arguments: '{"a":1,"b":2}' },
    { id: 'c_cli', name: 'client_fn', arguments: '{}' },
  ] }]);
  const events = dataEvents(await rawStream({ tools: [{ type: 'function', function: { name: 'client_fn', parameters: { type: 'object' } } }] }));
  const calls = events.filter((e) => e !== '[DONE]').flatMap((e) => JSON.parse(e).choices[0]?.delta?.tool_calls ?? []);
  expect(calls.map((c: { index: number }) => c.index)).toEqual([0, 0, 0]);
  expect(calls[0]).toMatchObject({ id: 'c_cli', function: { name: 'client_fn' } });
  expect(injector.calls).toHaveLength(0);
});

test('the client leaving during a streamed tool call aborts the tool; the interception ends aborted', async () => {
  suite.upstream.behaviour = chatScript([{ text: 'Wait. ', toolCalls: [{ id: 'c1', name: 'bmcp_calc_hang', arguments: '{}' }] }, { text: 'never' }]);
  const controller = new AbortController();
  const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hang' }] }, { signal: controller.signal });
  const reading = (async () => { for await (const _ of stream) { /* drain */ } })();
  await eventually(() => expect(injector.calls).toHaveLength(1));
  controller.abort();
  await reading.catch(() => undefined); // the SDK may end quietly or throw on abort: either way the bridge must notice
  await injector.calls[0].aborted;
  await eventually(() => expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'aborted' }));
});

// Last: it leaves both keys cooling for a second.
test('an exhausted pool on a later iteration becomes one error event after the streamed text', async () => {
  suite.upstream.behaviour = chatScript((_req, n) => (n === 0
    ? { text: 'Checking. ', toolCalls: [{ id: 'c1', name: 'bmcp_calc_add', arguments: '{"a":1,"b":1}' }] }
    : { error: { status: 429, message: 'slow down', headers: { 'retry-after': '1' } } }));
  const events = dataEvents(await rawStream({}));
  const last = JSON.parse(events[events.length - 1]);
  expect(last.error).toMatchObject({ code: 'rate_limit_exceeded' });
  expect(events.some((e) => e === '[DONE]')).toBe(false);
  expect(events.some((e) => e.includes('Checking.'))).toBe(true);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', errorType: 'rate_limited' }));
});
