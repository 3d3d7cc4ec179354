/** Whatever the upstream does, an injected tool's name and arguments never reach the client: odd orders, n > 1, capped and mixed turns. */
import type http from 'node:http';
import { anthropicProvider, openaiProvider } from '../../lib';
import { anthropicScript } from '../helpers/anthropic-script';
import { chatScript } from '../helpers/chat-script';
import { chunk, writeSse, type Behaviour, type ReceivedRequest } from '../helpers/fake-openai';
import { bridgeSuite, eventually } from '../helpers/gateway';
import { responsesScript } from '../helpers/responses-script';
import { TestInjector } from '../helpers/test-injector';

const injector = new TestInjector(2);
const suite = bridgeSuite((url) => ({
  providers: [openaiProvider({ baseURL: url, keys: ['sk-leak-key-000000000001'] }), anthropicProvider({ baseURL: url.replace(/\/v1$/, ''), keys: ['sk-ant-leak-000000000001'] })],
  tools: injector,
}));

const SECRET_ARGS = '{"a":2,"b":3,"note":"zebra42"}';
const CLIENT_TOOLS = [{ type: 'function', function: { name: 'client_fn', parameters: { type: 'object' } } }];

/** The client's bytes hold neither the injected tool's name nor its arguments. */
function expectNoLeak(bytes: string): void {
  expect(bytes).not.toContain('bmcp_calc_add');
  expect(bytes).not.toContain('zebra42');
}

async function post(path: string, body: Record<string, unknown>): Promise<{ status: number; text: string }> {
  const res = await fetch(`${suite.gw.url}${path}`, {
    method: 'POST', headers: { authorization: 'Bearer user-token-alice', 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}
const chat = (body: Record<string, unknown>) => post('/openai/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Add.' }], ...body });
const messages = (body: Record<string, unknown>) => post('/anthropic/v1/messages', { model: 'claude-test-1', max_tokens: 64, messages: [{ role: 'user', content: 'Add.' }], ...body });

/** Answers the first call with `first`, every later one with `then`. */
function firstThen(first: (req: ReceivedRequest, res: http.ServerResponse) => void, then: Behaviour): Behaviour & { calls: ReceivedRequest[] } {
  const calls: ReceivedRequest[] = [];
  return Object.assign((req: ReceivedRequest, res: http.ServerResponse) => {
    calls.push(req);
    return calls.length === 1 ? first(req, res) : then(req, res);
  }, { calls });
}

function sendJson(res: http.ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const FC_ITEM = { id: 'fc_1', type: 'function_call', status: 'completed', call_id: 'call_odd', name: 'bmcp_calc_add', arguments: SECRET_ARGS };

/** A streamed Responses call of the injected tool with `middle` between its creation and its item's end; then "It is 5.". */
function responsesCallThenAnswer(middle: Array<[string, Record<string, unknown>]>): Behaviour {
  const response = (status: string, output: unknown[]) => ({ id: 'resp_odd', object: 'response', status, model: 'gpt-5', output, usage: status === 'completed' ? { input_tokens: 5, output_tokens: 5, total_tokens: 10 } : null });
  const events: Array<[string, Record<string, unknown>]> = [
    ['response.created', { response: response('in_progress', []) }],
    ...middle,
    ['response.output_item.done', { output_index: 0, item: FC_ITEM }],
    ['response.completed', { response: response('completed', [FC_ITEM]) }],
  ];
  return firstThen((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(events.map(([type, data], i) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data, sequence_number: i })}\n\n`).join(''));
  }, responsesScript([{ text: 'It is 5.' }]));
}

beforeEach(() => {
  injector.calls.length = 0;
});

describe('streamed', () => {
  test('chat: the tool name arrives after the first argument delta', async () => {
    suite.upstream.behaviour = firstThen((_req, res) => writeSse(res, [
      JSON.stringify(chunk({ role: 'assistant', content: '' })),
      JSON.stringify(chunk({ tool_calls: [{ index: 0, id: 'call_late', type: 'function', function: { arguments: SECRET_ARGS.slice(0, 12) } }] })),
      JSON.stringify(chunk({ tool_calls: [{ index: 0, function: { name: 'bmcp_calc_add', arguments: SECRET_ARGS.slice(12) } }] })),
      JSON.stringify(chunk({}, 'tool_calls')),
      '[DONE]',
    ]), chatScript([{ text: 'It is 5.' }]));
    const { text } = await chat({ stream: true });
    expectNoLeak(text);
    expect(text).toContain('"content":"5."');
    expect(injector.calls.map((c) => c.arguments)).toEqual([JSON.parse(SECRET_ARGS)]);
  });

  test('chat with n: 2: an injected call in choice 1 is hidden too', async () => {
    const both = (delta: Record<string, unknown>, finish: string | null = null) => JSON.stringify({ ...chunk(delta, finish), choices: [
      { index: 0, delta: delta.role ? delta : { content: 'Hi.' }, logprobs: null, finish_reason: finish && 'stop' },
      { index: 1, delta, logprobs: null, finish_reason: finish },
    ] });
    suite.upstream.behaviour = (_req, res) => writeSse(res, [
      both({ role: 'assistant', content: '' }),
      both({ tool_calls: [{ index: 0, id: 'call_c1', type: 'function', function: { name: 'bmcp_calc_add', arguments: SECRET_ARGS } }] }),
      both({}, 'tool_calls'),
      '[DONE]',
    ]);
    const { text } = await chat({ stream: true, n: 2 });
    expectNoLeak(text);
    expect(text).toContain('Hi.');
  });

  test('Responses: an arguments delta before its item was added', async () => {
    suite.upstream.behaviour = responsesCallThenAnswer([
      ['response.function_call_arguments.delta', { item_id: 'fc_1', output_index: 0, delta: SECRET_ARGS }],
      ['response.output_item.added', { output_index: 0, item: { ...FC_ITEM, status: 'in_progress', arguments: '' } }],
      ['response.function_call_arguments.done', { item_id: 'fc_1', output_index: 0, arguments: SECRET_ARGS }],
    ]);
    const { text } = await post('/openai/v1/responses', { model: 'gpt-5', input: 'Add.', stream: true });
    expectNoLeak(text);
    expect(text).toContain('It is 5.');
  });

  test('Responses: arguments deltas of a hidden item without a number output_index (missing, or a string)', async () => {
    suite.upstream.behaviour = responsesCallThenAnswer([
      ['response.output_item.added', { output_index: 0, item: { ...FC_ITEM, status: 'in_progress', arguments: '' } }],
      ['response.function_call_arguments.delta', { item_id: 'fc_1', delta: SECRET_ARGS.slice(0, 12) }],
      ['response.function_call_arguments.delta', { item_id: 'fc_1', output_index: '0', delta: SECRET_ARGS.slice(12) }],
    ]);
    const { text } = await post('/openai/v1/responses', { model: 'gpt-5', input: 'Add.', stream: true });
    expect(text).not.toContain('\\"a\\":2'); // the first half, as JSON inside the event
    expect(text).not.toContain('zebra42');
    expect(text).toContain('It is 5.');
  });

  test('Messages: an input delta before its tool_use block started, and one naming its block with a string index', async () => {
    const ev = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const frames = [
      ev('message_start', { message: { id: 'msg_early', type: 'message', role: 'assistant', model: 'claude-test-1', content: [], stop_reason: null, usage: { input_tokens: 5, output_tokens: 1 } } }),
      ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: SECRET_ARGS.slice(0, 12) } }),
      ev('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 'toolu_early', name: 'bmcp_calc_add', input: {} } }),
      ev('content_block_delta', { index: '0', delta: { type: 'input_json_delta', partial_json: SECRET_ARGS.slice(12) } }),
      ev('content_block_stop', { index: 0 }),
      ev('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 9 } }),
      ev('message_stop', {}),
    ];
    suite.upstream.behaviour = firstThen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(frames.join(''));
    }, anthropicScript([{ text: 'It is 5.' }]));
    const { text } = await messages({ stream: true });
    expect(text).not.toContain('\\"a\\":2'); // the first half, as JSON inside the event
    expect(text).not.toContain('zebra42');
    expect(text).toContain('"text":"5."'); // the answer after the tool ran
  });
});

describe('blocking', () => {
  test('chat: the capped last call (no tools) still answers with an injected call', async () => {
    suite.upstream.behaviour = chatScript((req) => ({ toolCalls: [{ id: `c${req.json.messages.length}`, name: 'bmcp_calc_add', arguments: SECRET_ARGS }] }));
    const { status, text } = await chat({});
    expect(status).toBe(200);
    expectNoLeak(text);
    expect(JSON.parse(text).choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: null } });
    expect(injector.calls).toHaveLength(2);
  });

  test('chat with n: 2: an injected call in choice 1', async () => {
    suite.upstream.behaviour = (_req, res) => sendJson(res, {
      id: 'chatcmpl-n2', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hi.' }, finish_reason: 'stop' },
        { index: 1, message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_n1', type: 'function', function: { name: 'bmcp_calc_add', arguments: SECRET_ARGS } }] }, finish_reason: 'tool_calls' },
      ],
    });
    const { text } = await chat({ n: 2 });
    expectNoLeak(text);
    expect(JSON.parse(text).choices.map((c: { message: { content: string | null } }) => c.message.content)).toEqual(['Hi.', null]);
  });

  test('chat: a turn mixing a client call and an injected one hands back only the client\'s call; the injected one is recorded, not run', async () => {
    suite.upstream.behaviour = chatScript([{ toolCalls: [
      { id: 'c_inj', name: 'bmcp_calc_add', arguments: SECRET_ARGS },
      { id: 'c_cli', name: 'client_fn', arguments: '{}' },
    ] }]);
    const { text } = await chat({ tools: CLIENT_TOOLS });
    expectNoLeak(text);
    expect(JSON.parse(text).choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { tool_calls: [{ id: 'c_cli', function: { name: 'client_fn' } }] } });
    expect(injector.calls).toHaveLength(0);
    await eventually(() => expect(suite.gw.recorder.toolUsages.map((t) => [t.toolCallId, t.injected, t.invocationError])).toEqual([
      ['c_inj', true, expect.stringMatching(/^Not run/)], ['c_cli', false, undefined],
    ]));
  });

  test('Messages: the capped last call still answers with an injected tool_use', async () => {
    suite.upstream.behaviour = anthropicScript((req) => ({ text: 'Trying.', toolCalls: [{ id: `toolu_${req.json.messages.length}`, name: 'bmcp_calc_add', input: SECRET_ARGS }] }));
    const { status, text } = await messages({});
    expect(status).toBe(200);
    expectNoLeak(text);
    expect(JSON.parse(text)).toMatchObject({ stop_reason: 'end_turn', content: [{ type: 'text', text: 'Trying.' }] });
  });

  test('Messages: a mixed turn hands back only the client\'s tool_use', async () => {
    suite.upstream.behaviour = anthropicScript([{ toolCalls: [
      { id: 'toolu_inj', name: 'bmcp_calc_add', input: SECRET_ARGS },
      { id: 'toolu_cli', name: 'client_fn', input: '{}' },
    ] }]);
    const { text } = await messages({ tools: [{ name: 'client_fn', input_schema: { type: 'object' } }] });
    expectNoLeak(text);
    expect(JSON.parse(text)).toMatchObject({ stop_reason: 'tool_use', content: [{ type: 'tool_use', id: 'toolu_cli', name: 'client_fn' }] });
    expect(injector.calls).toHaveLength(0);
  });
});
