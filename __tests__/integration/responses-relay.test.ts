/** The Responses bridge without injected tools: transcripts relayed byte-for-byte, the SDK as client, exact records. */
import OpenAI from 'openai';
import { openaiProvider } from '../../lib';
import { bridgeSuite, eventually } from '../helpers/gateway';
import { fixture, fixtureResponse, responsesScript } from '../helpers/responses-script';

const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ keys: ['sk-resp-key-000000000000001111', 'sk-resp-key-000000000000002222'], baseURL: url })],
  // Fidelity tests name ids created elsewhere (`resp_prev`); ownership has its own suite.
  ownership: { unknownIds: 'allow' } }));
const client = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0 });

function post(body: string | Record<string, unknown>, headers: Record<string, string> = {}) {
  return fetch(`${suite.gw.url}/openai/v1/responses`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer user-token-alice', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function records() {
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  return suite.gw.recorder.forInterception(suite.gw.recorder.interceptions[0].id);
}

test.each(['reasoning-summary', 'hosted-and-custom-tools', 'incomplete', 'failed', 'error-event', 'malformed'])('the %s transcript reaches the client byte-identical', async (name) => {
  suite.upstream.behaviour = responsesScript([{ fixture: name }]);
  const res = await post({ model: 'gpt-5', stream: true, input: 'go' });
  expect(res.status).toBe(200);
  expect(Buffer.from(await res.arrayBuffer()).equals(fixture(name))).toBe(true);
  const ended = (await records()).ended!;
  expect(ended.status).toBe(['failed', 'error-event'].includes(name) ? 'failed' : 'completed');
});

test('reasoning summaries and commentary become thoughts; usage moves cached tokens to cacheRead', async () => {
  suite.upstream.behaviour = responsesScript([{ fixture: 'reasoning-summary' }]);
  const final = await client().responses.stream({ model: 'gpt-5', input: [{ role: 'user', content: [{ type: 'input_text', text: 'ctx' }, { type: 'input_text', text: 'run the tests' }] }] }).finalResponse();
  expect(final.id).toBe('resp_fx_reasoning');
  expect(final.output.map((i) => i.type)).toEqual(['reasoning', 'message', 'message']);
  const r = await records();
  expect(r.promptUsages.map((p) => p.prompt)).toEqual(['run the tests']);
  expect(r.tokenUsages).toEqual([{
    interceptionId: r.interception!.id, msgId: 'resp_fx_reasoning', input: 200, output: 300, cacheRead: 1000, cacheWrite: 0,
    extra: { output_reasoning_tokens: 256, total_tokens: 1500 }, createdAt: expect.any(Date),
  }]);
  expect(r.modelThoughts.map((t) => [t.source, t.content.split('\n')[0], t.msgId])).toEqual([
    ['reasoning_summary', '**Planning the check**', 'resp_fx_reasoning'],
    ['reasoning_summary', '**Reading results**', 'resp_fx_reasoning'],
    ['commentary', 'I’ll run the test suite first.', 'resp_fx_reasoning'],
  ]);
  expect(r.ended).toMatchObject({ status: 'completed', httpStatus: 200 });
});

test('custom, hosted and client function calls are recorded as client tools (hosted ones under their item type)', async () => {
  suite.upstream.behaviour = responsesScript([{ fixture: 'hosted-and-custom-tools' }]);
  await (await post({ model: 'gpt-5', stream: true, input: 'x' })).text();
  const r = await records();
  expect(r.toolUsages.map(({ tool, toolCallId, args, injected }) => ({ tool, toolCallId, args, injected }))).toEqual([
    { tool: 'web_search_call', toolCallId: 'ws_fx_1', args: { action: { type: 'search', query: 'node 20 release date' } }, injected: false },
    { tool: 'apply_patch', toolCallId: 'call_fx_patch', args: '*** Begin Patch\n*** Update File: README.md\n@@\n-old\n+new\n*** End Patch', injected: false },
    { tool: 'shell', toolCallId: 'call_fx_shell', args: { command: ['ls', '-la'], workdir: '/repo' }, injected: false },
  ]);
});

test('response.failed and error events end the interception failed with the upstream message', async () => {
  suite.upstream.behaviour = responsesScript([{ fixture: 'failed' }]);
  await (await post({ model: 'gpt-5', stream: true, input: 'x' })).text();
  expect((await records()).ended).toMatchObject({ status: 'failed', errorType: 'server_error', errorMessage: 'The model failed to generate a response.' });
  suite.gw.recorder.clear();
  suite.upstream.behaviour = responsesScript([{ fixture: 'error-event' }]);
  await (await post({ model: 'gpt-5', stream: true, input: 'x' })).text();
  expect((await records()).ended).toMatchObject({ status: 'failed', errorMessage: 'Rate limit reached for gpt-5 in organization org-fixture.' });
});

test('a stream cut before its terminal event ends with one error event carrying the next sequence number', async () => {
  suite.upstream.behaviour = responsesScript([{ text: 'Partial answer here', cutAfter: 5 }]);
  const text = await (await post({ model: 'gpt-5', stream: true, input: 'x' })).text();
  const blocks = text.trim().split('\n\n');
  expect(blocks).toHaveLength(6);
  const last = blocks[5].split('\n');
  expect(last[0]).toBe('event: error');
  expect(JSON.parse(last[1].slice(6))).toEqual({ type: 'error', code: 'stream_incomplete', message: 'The upstream stream ended before it was complete.', param: null, sequence_number: 5 });
  expect((await records()).ended).toMatchObject({ status: 'failed', errorType: 'server_error' });
});

test('blocking: the SDK gets the upstream bytes; fields the bridge does not use reach the upstream untouched', async () => {
  suite.upstream.behaviour = responsesScript([{ fixture: 'hosted-and-custom-tools' }]);
  const raw = '{"model":"gpt-5","previous_response_id":"resp_prev","conversation":null,"store":false,"background":false,"include":["reasoning.encrypted_content"],"seed":12345678901234567890,"input":[{"type":"function_call_output","call_id":"call_prev","output":"ok"}]}';
  const res = await post(raw);
  expect(await res.json()).toEqual(fixtureResponse('hosted-and-custom-tools'));
  expect(suite.upstream.requests[0].body).toBe(raw);
  const r = await records();
  expect(r.interception).toMatchObject({ route: '/v1/responses', model: 'gpt-5', streaming: false, correlatingToolCallId: 'call_prev' });
  expect(r.toolUsages.map((t) => t.tool)).toEqual(['web_search_call', 'apply_patch', 'shell']);
  expect(r.tokenUsages).toEqual([expect.objectContaining({ msgId: 'resp_fx_tools', input: 500, output: 80, cacheRead: 0 })]);

  const created = await client().responses.create({ model: 'gpt-5', input: 'hi' });
  expect(created.id).toBe('resp_fx_tools');
});

test('a rate-limited key fails over to the next before the first byte', async () => {
  const script = responsesScript((req) => (req.headers.authorization === 'Bearer sk-resp-key-000000000000001111'
    ? { error: { status: 429, message: 'slow down', headers: { 'retry-after': '1' } } }
    : { text: 'From the second key.' }));
  suite.upstream.behaviour = script;
  const final = await client().responses.stream({ model: 'gpt-5', input: 'hi' }).finalResponse();
  expect(final.output_text).toBe('From the second key.');
  expect(script.calls.map((c) => c.headers.authorization)).toEqual(['Bearer sk-resp-key-000000000000001111', 'Bearer sk-resp-key-000000000000002222']);
  expect((await records()).ended).toMatchObject({ status: 'completed', credentialHint: 'sk-r...2222' });
});

test('client disconnect mid-stream closes the upstream connection; the interception ends aborted', async () => {
  suite.upstream.behaviour = async (req, res) => {
    if (!req.url.startsWith('/v1/responses')) return 'default';
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(fixture('reasoning-summary').subarray(0, 900));
    await req.closedEarly;
  };
  const res = await post({ model: 'gpt-5', stream: true, input: 'x' });
  const reader = res.body!.getReader();
  await reader.read();
  await reader.cancel();
  await suite.upstream.requests[0].closedEarly;
  expect((await records()).ended).toMatchObject({ status: 'aborted', errorType: 'aborted' });
});

test('a Codex-like request: session and client detected, unknown fields and tool types forwarded as sent', async () => {
  suite.upstream.behaviour = responsesScript([{ text: 'Done.' }]);
  const body = {
    model: 'gpt-5-codex', instructions: 'You are Codex.', stream: true, store: false, include: ['reasoning.encrypted_content'],
    tool_choice: 'auto', parallel_tool_calls: false, reasoning: { effort: 'medium', summary: 'auto' }, prompt_cache_key: 'sess-codex-1',
    tools: [{ type: 'function', name: 'shell', parameters: { type: 'object' }, strict: false }, { type: 'namespace', name: 'mcp', tools: [] }, { type: 'web_search' }],
    input: [
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: '<environment_context>cwd</environment_context>' }, { type: 'input_text', text: 'list files' }] },
      { type: 'function_call', name: 'shell', arguments: '{"command":["ls"]}', call_id: 'call_codex_1' },
      { type: 'function_call_output', call_id: 'call_codex_1', output: 'README.md' },
    ],
  };
  const res = await post(body, { 'user-agent': 'codex_cli_rs/0.58.0 (Linux; x86_64)', 'session-id': 'codex-session-7', originator: 'codex_cli_rs', 'x-codex-beta-features': 'x' });
  expect(res.status).toBe(200);
  await res.text();
  const sent = suite.upstream.requests[0];
  expect(sent.body).toBe(JSON.stringify(body));
  expect(sent.headers).toMatchObject({ 'session-id': 'codex-session-7', originator: 'codex_cli_rs', 'x-codex-beta-features': 'x' });
  const r = await records();
  expect(r.interception).toMatchObject({ client: 'codex', clientSessionId: 'codex-session-7', correlatingToolCallId: 'call_codex_1', model: 'gpt-5-codex' });
  expect(r.promptUsages.map((p) => p.prompt)).toEqual(['list files']);
  expect(r.ended).toMatchObject({ status: 'completed' });
});

test('bad input is refused in the OpenAI error shape, nothing sent upstream', async () => {
  const res = await post({ model: 'gpt-5', input: 42 });
  expect(res.status).toBe(400);
  expect(await res.json()).toEqual({ error: { message: '`input` must be a string or an array.', type: 'invalid_request_error', code: 'invalid_request' } });
  expect(suite.upstream.requests).toHaveLength(0);
});
