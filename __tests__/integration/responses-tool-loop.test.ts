/** The inner tool loop on the Responses API: hidden injected calls, renumbered events, resent input, one final response. */
import OpenAI from 'openai';
import { openaiProvider } from '../../lib';
import { bridgeSuite, eventually } from '../helpers/gateway';
import { responsesScript } from '../helpers/responses-script';
import { TestInjector } from '../helpers/test-injector';

const injector = new TestInjector(3);
const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ baseURL: url, keys: ['sk-loop-key-0000000000001', 'sk-loop-key-0000000000002'] })], tools: injector, streamKeepAliveMs: 20,
  // A test names a conversation created elsewhere (`conv_1`); ownership has its own suite.
  ownership: { unknownIds: 'allow' } }));
const client = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0 });

async function rawStream(body: Record<string, unknown>): Promise<Array<{ event: string; data: any }>> {
  const res = await fetch(`${suite.gw.url}/openai/v1/responses`, {
    method: 'POST', headers: { authorization: 'Bearer user-token-alice', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-5', stream: true, input: 'What is 2+3?', ...body }),
  });
  expect(res.status).toBe(200);
  const text = await res.text();
  return text.split('\n\n').filter((b) => b.startsWith('event: ')).map((b) => {
    const [event, data] = b.split('\n');
    return { event: event.slice(7), data: JSON.parse(data.slice(6)) };
  });
}

const ADD = { id: 'call_add', name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' };

beforeEach(() => {
  injector.calls.length = 0;
});

test('streaming: the injected call is hidden, numbering stays gapless, finalResponse covers the whole loop', async () => {
  const script = responsesScript([
    { reasoning: 'Need the calculator.', text: 'Let me add. ', toolCalls: [ADD], usage: { input_tokens: 20, output_tokens: 7, cached_tokens: 5 } },
    { text: 'It is 5.', usage: { input_tokens: 40, output_tokens: 4 } },
  ]);
  suite.upstream.behaviour = script;
  const stream = client().responses.stream({ model: 'gpt-5', input: 'What is 2+3?' });
  const deltas: string[] = [];
  stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
  const final = await stream.finalResponse();
  expect(deltas.join('')).toBe('Let me add. It is 5.');
  expect(final.id).toBe('resp_step1'); // the last upstream response: the one that holds the whole conversation
  expect(final.output.map((i) => [i.type, i.id])).toEqual([['reasoning', 'rs_0'], ['message', 'msg_0'], ['message', 'msg_1']]);
  expect(final.output_text).toBe('Let me add. It is 5.');
  expect(final.usage).toMatchObject({ input_tokens: 60, output_tokens: 11, total_tokens: 71, input_tokens_details: { cached_tokens: 5 } });
  expect(injector.calls.map((c) => [c.name, c.arguments])).toEqual([['bmcp_calc_add', { a: 2, b: 3 }]]);

  const [first, second] = script.calls;
  expect(first.json.tools).toEqual(injector.tools.map((t) => ({ type: 'function', name: t.name, description: t.description, parameters: t.inputSchema, strict: false })));
  expect(first.json.parallel_tool_calls).toBe(false);
  expect(first.json.input).toBe('What is 2+3?');
  expect(second.json.input).toEqual([
    { role: 'user', content: 'What is 2+3?' },
    { id: 'rs_0', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Need the calculator.' }] },
    { id: 'msg_0', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', annotations: [], text: 'Let me add. ' }] },
    { id: 'fc_0_0', type: 'function_call', status: 'completed', call_id: 'call_add', name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' },
    { type: 'function_call_output', call_id: 'call_add', output: '5' },
  ]);

  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  const r = suite.gw.recorder.forInterception(suite.gw.recorder.interceptions[0].id);
  expect(r.ended).toMatchObject({ status: 'completed' });
  expect(r.tokenUsages.map((u) => [u.msgId, u.input, u.output, u.cacheRead])).toEqual([['resp_step0', 15, 7, 5], ['resp_step1', 40, 4, 0]]);
  expect(r.toolUsages).toEqual([expect.objectContaining({ tool: 'bmcp_calc_add', toolCallId: 'call_add', injected: true, args: { a: 2, b: 3 }, serverUrl: 'http://127.0.0.1:1/mcp', msgId: 'resp_step0' })]);
  expect(r.modelThoughts).toEqual([expect.objectContaining({ source: 'reasoning_summary', content: 'Need the calculator.', msgId: 'resp_step0' })]);
});

test('streaming wire: one created, one in_progress, one completed; sequence numbers 0..n; output indexes without gaps', async () => {
  suite.upstream.behaviour = responsesScript([{ toolCalls: [ADD] }, { toolCalls: [{ ...ADD, id: 'call_add2' }] }, { text: 'Five.' }]);
  const events = await rawStream({});
  const types = events.map((e) => e.data.type);
  expect(types.filter((t) => t === 'response.created')).toHaveLength(1);
  expect(types.filter((t) => t === 'response.in_progress')).toHaveLength(1);
  expect(types.filter((t) => t === 'response.completed')).toHaveLength(1);
  expect(types[types.length - 1]).toBe('response.completed');
  expect(events.every((e) => e.event === e.data.type)).toBe(true);
  expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
  expect(events.some((e) => JSON.stringify(e.data).includes('bmcp_calc_add') && e.data.type !== 'response.created' && e.data.type !== 'response.in_progress' && e.data.type !== 'response.completed')).toBe(false);
  expect(events.filter((e) => 'output_index' in e.data).every((e) => e.data.output_index === 0)).toBe(true);
  const completed = events[events.length - 1].data.response;
  expect(completed.output.map((i: { id: string }) => i.id)).toEqual(['msg_2']);
  expect(completed.usage.total_tokens).toBe(45);
  expect(injector.calls).toHaveLength(2);
});

test('blocking: one response with the visible items of every call and summed usage', async () => {
  suite.upstream.behaviour = responsesScript([
    { text: 'Adding.', toolCalls: [ADD], usage: { input_tokens: 20, output_tokens: 7 } },
    { text: 'It is 5.', usage: { input_tokens: 40, output_tokens: 4 } },
  ]);
  const answer = await client().responses.create({ model: 'gpt-5', input: 'What is 2+3?' });
  expect(answer.id).toBe('resp_step1');
  expect(answer.output.map((i) => i.id)).toEqual(['msg_0', 'msg_1']);
  expect(answer.output_text).toBe('Adding.It is 5.');
  expect(answer.usage).toMatchObject({ input_tokens: 60, output_tokens: 11, total_tokens: 71 });
});

test('a hosted tool in the same turn as an injected call does not stop the loop', async () => {
  let n = 0;
  suite.upstream.behaviour = async (req, res) => {
    if (!req.url.startsWith('/v1/responses')) return 'default';
    const output = n++ === 0
      ? [{ id: 'ws_1', type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'calc' } }, { type: 'function_call', status: 'completed', name: ADD.name, arguments: ADD.arguments, id: 'fc_1', call_id: 'call_add' }]
      : [{ id: 'msg_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: '5', annotations: [] }] }];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: `resp_h${n}`, object: 'response', status: 'completed', output, usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } }));
  };
  const answer = await client().responses.create({ model: 'gpt-5', input: 'x' });
  expect(injector.calls).toHaveLength(1);
  expect(answer.output.map((i) => i.id)).toEqual(['ws_1', 'msg_1']);
  await eventually(() => expect(suite.gw.recorder.toolUsages).toHaveLength(2));
  expect(suite.gw.recorder.toolUsages.map((t) => [t.tool, t.injected, t.invocationError])).toEqual([['web_search_call', false, undefined], ['bmcp_calc_add', true, undefined]]);
});

test('background requests are relayed without injection', async () => {
  const script = responsesScript([{ text: 'queued' }]);
  suite.upstream.behaviour = script;
  const raw = JSON.stringify({ model: 'gpt-5', background: true, input: 'long job' });
  await fetch(`${suite.gw.url}/openai/v1/responses`, { method: 'POST', headers: { authorization: 'Bearer user-token-alice', 'content-type': 'application/json' }, body: raw });
  expect(script.calls[0].body).toBe(raw);
});

test('with a conversation, later calls send only the tool outputs (the conversation holds the rest)', async () => {
  const script = responsesScript([{ toolCalls: [ADD] }, { text: 'Five.' }]);
  suite.upstream.behaviour = script;
  await client().responses.create({ model: 'gpt-5', conversation: 'conv_1', input: [{ role: 'user', content: 'What is 2+3?' }] });
  expect(script.calls[1].json.conversation).toBe('conv_1');
  expect(script.calls[1].json.input).toEqual([{ type: 'function_call_output', call_id: 'call_add', output: '5' }]);
});

test('a client function call is passed back untouched; an injected call in the same turn is hidden and not run', async () => {
  suite.upstream.behaviour = responsesScript([{ toolCalls: [ADD, { id: 'call_cli', name: 'client_fn', arguments: '{}' }] }]);
  const final = await client().responses.stream({ model: 'gpt-5', input: 'x', tools: [{ type: 'function', name: 'client_fn', parameters: { type: 'object' }, strict: false }] }).finalResponse();
  expect(final.output).toEqual([expect.objectContaining({ type: 'function_call', call_id: 'call_cli', name: 'client_fn' })]);
  expect(injector.calls).toHaveLength(0);
});

test('keep-alive comments flow while a tool runs; the client leaving aborts the tool', async () => {
  suite.upstream.behaviour = responsesScript([{ text: 'Wait. ', toolCalls: [{ id: 'c1', name: 'bmcp_calc_hang', arguments: '{}' }] }, { text: 'never' }]);
  const res = await fetch(`${suite.gw.url}/openai/v1/responses`, { method: 'POST', headers: { authorization: 'Bearer user-token-alice', 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-5', stream: true, input: 'hang' }) });
  const reader = res.body!.getReader();
  let seen = '';
  while (!/(: keep-alive\n\n[^]*){2}/.test(seen)) seen += Buffer.from((await reader.read()).value!).toString();
  await reader.cancel();
  await injector.calls[0].aborted;
  await eventually(() => expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'aborted' }));
});

// Last: it leaves both keys cooling for a second.
test('an exhausted pool on a later call becomes one error event with the next sequence number', async () => {
  suite.upstream.behaviour = responsesScript((_req, n) => (n === 0
    ? { text: 'Checking. ', toolCalls: [ADD] }
    : { error: { status: 429, message: 'slow down', headers: { 'retry-after': '1' } } }));
  const events = await rawStream({});
  const last = events[events.length - 1];
  expect(last.event).toBe('error');
  expect(last.data).toEqual({ type: 'error', code: 'rate_limit_exceeded', message: expect.any(String), param: null, sequence_number: events.length - 1 });
  expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
  expect(events.some((e) => e.data.type === 'response.completed')).toBe(false);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', errorType: 'rate_limited' }));
});
