/** What a stream observer keeps is bounded: past maxAccumulatedBytes the upstream is cut and the client gets one protocol error event. */
import type http from 'node:http';
import { anthropicProvider, openaiProvider } from '../../lib';
import { chunk } from '../helpers/fake-openai';
import { bridgeSuite, eventually } from '../helpers/gateway';
import { TEST_TOOLS, TestInjector } from '../helpers/test-injector';

const LIMIT = 4096;
const injector = new TestInjector(3);
const suite = bridgeSuite((url) => ({
  providers: [openaiProvider({ baseURL: url, keys: ['sk-accum-key-00000000001'] }), anthropicProvider({ baseURL: url.replace(/\/v1$/, ''), keys: ['sk-ant-accum-0000000001'] })],
  tools: injector, maxAccumulatedBytes: LIMIT,
}));

const PIECE = 'x'.repeat(1000);
const PIECES = 200; // 200 KB: fifty times the limit

/** Writes `frames`, then holds the response open: only a gateway that gives up on it ends it. */
function endless(frames: string[]) {
  return (_req: unknown, res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const f of frames) res.write(f);
  };
}
const data = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;
const event = (name: string, payload: Record<string, unknown>) => `event: ${name}\ndata: ${JSON.stringify({ type: name, ...payload })}\n\n`;

function chatCallFrames(name: string): string[] {
  return [
    data(chunk({ role: 'assistant', content: '' })),
    data(chunk({ tool_calls: [{ index: 0, id: 'call_big', type: 'function', function: { name, arguments: '' } }] })),
    ...Array.from({ length: PIECES }, () => data(chunk({ tool_calls: [{ index: 0, function: { arguments: PIECE } }] }))),
  ];
}

async function post(path: string, body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${suite.gw.url}${path}`, {
    method: 'POST', headers: { authorization: 'Bearer user-token-alice', 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return res.text();
}

async function expectFailedAndCut(): Promise<void> {
  await suite.upstream.requests[suite.upstream.requests.length - 1].closedEarly; // the upstream was aborted
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toEqual([expect.objectContaining({
    status: 'failed', errorType: 'server_error', errorMessage: expect.stringContaining('maxAccumulatedBytes'),
  })]));
}

beforeEach(() => {
  injector.calls.length = 0;
  injector.tools = TEST_TOOLS;
});

test('plain relay, chat: a client tool call whose streamed arguments pass the limit', async () => {
  injector.tools = [];
  suite.upstream.behaviour = endless(chatCallFrames('client_fn'));
  const text = await post('/openai/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  const errors = text.split('\n\n').filter((b) => b.includes('"error"'));
  expect(errors).toHaveLength(1);
  expect(JSON.parse(errors[0].slice(6)).error).toMatchObject({ code: 'accumulation_limit' });
  expect(text.length).toBeLessThan(PIECES * PIECE.length);
  await expectFailedAndCut();
});

test('tool loop, chat: hidden injected-call arguments past the limit end the stream; the tool never runs', async () => {
  suite.upstream.behaviour = endless(chatCallFrames('bmcp_calc_add'));
  const text = await post('/openai/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  expect(text.match(/accumulation_limit/g)).toHaveLength(1);
  expect(injector.calls).toHaveLength(0);
  await expectFailedAndCut();
});

test('tool loop, chat: arguments of a never-named call in choice 1 (held by the hiding filter) count toward the limit', async () => {
  suite.upstream.behaviour = endless([
    data(chunk({ role: 'assistant', content: '' })),
    ...Array.from({ length: PIECES }, () => data({ ...chunk({}), choices: [{ index: 1, delta: { tool_calls: [{ index: 0, function: { arguments: PIECE } }] }, finish_reason: null }] })),
  ]);
  const text = await post('/openai/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, n: 2, messages: [{ role: 'user', content: 'hi' }] });
  expect(text.match(/accumulation_limit/g)).toHaveLength(1);
  expect(text).not.toContain(PIECE);
  await expectFailedAndCut();
});

test('plain relay, chat: ids and names of ever more tool calls count toward the limit', async () => {
  injector.tools = [];
  suite.upstream.behaviour = endless([
    data(chunk({ role: 'assistant', content: '' })),
    ...Array.from({ length: PIECES }, (_, i) => data(chunk({ tool_calls: [{ index: i, id: `call_${PIECE}`, type: 'function', function: { name: `f_${PIECE}`, arguments: '' } }] }))),
  ]);
  const text = await post('/openai/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  expect(text.match(/accumulation_limit/g)).toHaveLength(1);
  await expectFailedAndCut();
});

test('plain relay, Messages: thinking past the limit ends with one Anthropic error event', async () => {
  injector.tools = [];
  suite.upstream.behaviour = endless([
    event('message_start', { message: { id: 'msg_big', type: 'message', role: 'assistant', model: 'claude-test-1', content: [], usage: { input_tokens: 1, output_tokens: 1 } } }),
    event('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '' } }),
    ...Array.from({ length: PIECES }, () => event('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: PIECE } })),
  ]);
  const text = await post('/anthropic/v1/messages', { model: 'claude-test-1', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] });
  expect(text.match(/^event: error$/gm)).toHaveLength(1);
  await expectFailedAndCut();
});

test('tool loop, Responses: output items past the limit end with one numbered error event', async () => {
  const item = (i: number) => ({ id: `msg_${i}`, type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', annotations: [], text: PIECE }] });
  suite.upstream.behaviour = endless([
    event('response.created', { response: { id: 'resp_big', status: 'in_progress', output: [] }, sequence_number: 0 }),
    ...Array.from({ length: PIECES }, (_, i) => event('response.output_item.done', { output_index: i, item: item(i), sequence_number: i + 1 })),
  ]);
  const text = await post('/openai/v1/responses', { model: 'gpt-5', stream: true, input: 'hi' });
  const errors = text.split('\n\n').filter((b) => b.startsWith('event: error'));
  expect(errors).toHaveLength(1);
  expect(JSON.parse(errors[0].split('\ndata: ')[1])).toMatchObject({ type: 'error', code: 'accumulation_limit' });
  await expectFailedAndCut();
});
