/** Anthropic Messages relay with nothing injected: the real SDK as client, byte fidelity, headers, records, passthrough, errors. */
import Anthropic from '@anthropic-ai/sdk';
import { anthropicProvider } from '../../lib';
import { anthropicScript, transcript } from '../helpers/anthropic-script';
import { bridgeSuite, eventually } from '../helpers/gateway';

const KEY = 'sk-ant-pool-aaaaaaaaaaaa1234';
const suite = bridgeSuite((url) => ({ providers: [anthropicProvider({ keys: [KEY], baseURL: url.replace(/\/v1$/, '') })] }));
const client = () => new Anthropic({ authToken: 'user-token-alice', baseURL: `${suite.gw.url}/anthropic`, maxRetries: 0 });

function post(path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${suite.gw.url}/anthropic${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice', ...headers }, body });
}

function expectAnthropicError(json: any, type: string) {
  expect(Object.keys(json).sort()).toEqual(['error', 'type']);
  expect(json.type).toBe('error');
  expect(json.error.type).toBe(type);
  expect(typeof json.error.message).toBe('string');
}

test('blocking: the SDK gets the answer; the upstream gets the pool key, the client bytes and no client credential; exact records', async () => {
  const script = anthropicScript([{ thinking: 'Two plus three.', text: 'It is 5.', toolCalls: [{ id: 'toolu_c1', name: 'client_fn', input: '{"x":1}' }], usage: { input_tokens: 21, output_tokens: 9 } }]);
  suite.upstream.behaviour = script;
  const answer = await client().messages.create({
    model: 'claude-test-1', max_tokens: 256,
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'first' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_prev', name: 'client_fn', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_prev', content: 'done' }] },
    ],
    tools: [{ name: 'client_fn', input_schema: { type: 'object' } }],
  });
  expect(answer.content.map((b) => b.type)).toEqual(['thinking', 'text', 'tool_use']);
  const received = script.calls[0];
  expect(received.headers['x-api-key']).toBe(KEY);
  expect(received.headers.authorization).toBeUndefined();
  expect(received.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/); // the SDK's own, as sent
  expect(received.json.tools).toEqual([{ name: 'client_fn', input_schema: { type: 'object' } }]);
  expect(received.json.tool_choice).toBeUndefined();

  const id = suite.gw.recorder.interceptions[0].id;
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  const r = suite.gw.recorder.forInterception(id);
  expect(r.interception).toMatchObject({ provider: 'anthropic', providerName: 'anthropic', route: '/v1/messages', model: 'claude-test-1', streaming: false, credentialKind: 'centralized', correlatingToolCallId: 'toolu_prev', client: 'anthropic-node' });
  expect(r.promptUsages.map((p) => p.prompt)).toEqual(['first']); // the tool-result message is not a prompt
  expect(r.tokenUsages.map((u) => [u.msgId, u.input, u.output, u.cacheRead, u.cacheWrite])).toEqual([['msg_step0', 21, 9, 0, 0]]);
  expect(r.toolUsages.map((t) => [t.tool, t.toolCallId, t.args, t.injected])).toEqual([['client_fn', 'toolu_c1', { x: 1 }, false]]);
  expect(r.modelThoughts.map((t) => [t.content, t.source])).toEqual([['Two plus three.', 'thinking']]);
  expect(r.ended).toMatchObject({ status: 'completed', httpStatus: 200 });
});

test('blocking answers are byte-identical; a client anthropic-version and anthropic-beta are forwarded as sent', async () => {
  const script = anthropicScript([{ text: 'ok' }]);
  suite.upstream.behaviour = script;
  const raw = '{"model":"claude-test-1","max_tokens":1e3,"temperature":1.0,"messages":[{"role":"user","content":"hi"}]}';
  const res = await post('/v1/messages', raw, { 'anthropic-version': '2024-01-01', 'anthropic-beta': 'a-2025-01-01,b-2025-02-02' });
  expect(res.status).toBe(200);
  expect(res.headers.get('request-id')).toBe('req_0');
  expect(await res.text()).toBe(JSON.stringify((await import('../helpers/anthropic-script')).anthropicMessage({ text: 'ok' }, 0)));
  expect(script.calls[0].body).toBe(raw);
  expect(script.calls[0].headers['anthropic-version']).toBe('2024-01-01');
  expect(script.calls[0].headers['anthropic-beta']).toBe('a-2025-01-01,b-2025-02-02');
});

test('streaming: byte-faithful relay of a thinking + text transcript; finalMessage() assembles it; records', async () => {
  const script = anthropicScript([{ fixture: 'thinking-text' }]);
  suite.upstream.behaviour = script;
  const raw = await post('/v1/messages', JSON.stringify({ model: 'claude-test-1', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'Hallo!' }] }));
  expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
  expect(await raw.text()).toBe(transcript('thinking-text'));
  expect(script.calls[0].headers['anthropic-version']).toBe('2023-06-01'); // the client sent none

  suite.gw.recorder.clear();
  const final = await client().messages.stream({ model: 'claude-test-1', max_tokens: 64, messages: [{ role: 'user', content: 'Hallo!' }] }).finalMessage();
  expect(final.id).toBe('msg_fx_thinking');
  expect(final.content).toEqual([
    { type: 'thinking', thinking: 'The user says hello in German; answer warmly — grüß zurück.', signature: 'c2lnbmF0dXJlLWZpeHR1cmUtMQ==' },
    { type: 'text', text: "Grüß dich! 👋 Wie geht's?" },
  ]);
  expect(final.usage).toMatchObject({ input_tokens: 31, output_tokens: 57 });
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  expect(suite.gw.recorder.interceptions[0]).toMatchObject({ streaming: true });
  expect(suite.gw.recorder.tokenUsages.map((u) => [u.input, u.output])).toEqual([[31, 57]]);
  expect(suite.gw.recorder.modelThoughts).toHaveLength(1);
  expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed' });
});

test('a Claude Code-like request: query string, betas, session headers and unknown fields all reach the upstream', async () => {
  const script = anthropicScript([{ fixture: 'cache-split' }]);
  suite.upstream.behaviour = script;
  const betas = 'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,fine-grained-tool-streaming-2025-05-14,oauth-2025-04-20';
  const body = JSON.stringify({
    model: 'claude-test-1', max_tokens: 32000, stream: true, thinking: { type: 'adaptive' },
    context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] }, output_config: { effort: 'high' }, metadata: { user_id: 'u' },
    system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
    tools: [{ name: 'Read', description: 'r', input_schema: { type: 'object' }, defer_loading: true }],
    messages: [{ role: 'user', content: 'one' }, { role: 'system', content: 'mid-conversation reminder' }, { role: 'user', content: [{ type: 'text', text: '<reminder>' }, { type: 'text', text: 'fix the bug' }] }],
  });
  const res = await post('/v1/messages?beta=true', body, { 'anthropic-beta': betas, 'anthropic-version': '2023-06-01', 'x-claude-code-session-id': 'sess-42', 'x-app': 'cli', 'user-agent': 'claude-cli/2.0.14 (external, cli)', 'anthropic-dangerous-direct-browser-access': 'true' });
  expect(res.status).toBe(200);
  expect(await res.text()).toBe(transcript('cache-split'));
  const received = script.calls[0];
  expect(received.url).toBe('/v1/messages?beta=true');
  expect(received.body).toBe(body);
  expect(received.headers).toMatchObject({ 'anthropic-beta': betas, 'x-claude-code-session-id': 'sess-42', 'x-app': 'cli', 'x-api-key': KEY });
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  expect(suite.gw.recorder.interceptions[0]).toMatchObject({ client: 'claude-code', clientSessionId: 'sess-42' });
  expect(suite.gw.recorder.promptUsages.map((p) => p.prompt)).toEqual(['fix the bug']);
  expect(suite.gw.recorder.tokenUsages[0]).toMatchObject({ input: 9, output: 23, cacheRead: 1536, cacheWrite: 3072, extra: { ephemeral_5m_input_tokens: 1024, ephemeral_1h_input_tokens: 2048 } });
});

test('passthrough: models and count_tokens go with the pool key and a default anthropic-version', async () => {
  const script = anthropicScript([{ text: 'unused' }]);
  suite.upstream.behaviour = script;
  const models = await fetch(`${suite.gw.url}/anthropic/v1/models`, { headers: { 'x-user-token': 'user-token-alice', 'x-api-key': 'client-junk' } });
  expect(models.status).toBe(200);
  const count = await client().messages.countTokens({ model: 'claude-test-1', messages: [{ role: 'user', content: 'count me' }] });
  expect(count.input_tokens).toBe(42);
  const [list, counted] = suite.upstream.requests;
  expect(list.headers).toMatchObject({ 'x-api-key': KEY, 'anthropic-version': '2023-06-01' });
  expect(counted.url).toBe('/v1/messages/count_tokens');
  expect(counted.headers['x-api-key']).toBe(KEY);
  expect(counted.json.messages).toEqual([{ role: 'user', content: 'count me' }]);
});

describe('errors are Anthropic-shaped', () => {
  test('unknown route → 404 not_found_error; no actor → 401; malformed body → 400; nothing upstream', async () => {
    const unknown = await post('/v1/complete', '{}');
    expect(unknown.status).toBe(404);
    expectAnthropicError(await unknown.json(), 'not_found_error');
    const noActor = await fetch(`${suite.gw.url}/anthropic/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'nobody' }, body: '{}' });
    expect(noActor.status).toBe(401);
    expectAnthropicError(await noActor.json(), 'authentication_error');
    for (const body of ['{"model":', '[]', JSON.stringify({ model: 'm', messages: 'hi' }), JSON.stringify({ model: 'm', messages: [], tools: {} })]) {
      const bad = await post('/v1/messages', body);
      expect(bad.status).toBe(400);
      expectAnthropicError(await bad.json(), 'invalid_request_error');
    }
    await expect(new Anthropic({ authToken: 'nobody', baseURL: `${suite.gw.url}/anthropic`, maxRetries: 0 }).messages.create({ model: 'm', max_tokens: 1, messages: [] }))
      .rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    expect(suite.upstream.requests).toHaveLength(0);
  });

  test("an upstream error is relayed as the upstream sent it, and the SDK raises the matching error", async () => {
    suite.upstream.behaviour = anthropicScript([{ error: { status: 400, type: 'invalid_request_error', message: 'max_tokens: field required' } }]);
    await expect(client().messages.create({ model: 'm', messages: [] } as never)).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
    expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: 400, errorType: 'bad_request', errorMessage: 'max_tokens: field required' });
  });

  test('a mid-stream overloaded_error reaches the client as its error event and the interception fails', async () => {
    suite.upstream.behaviour = anthropicScript([{ fixture: 'overloaded-midstream' }]);
    const stream = client().messages.stream({ model: 'claude-test-1', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
    await expect(stream.finalMessage()).rejects.toThrow(/Overloaded/);
    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
    expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', errorType: 'overloaded', errorMessage: 'Overloaded' });
  });

  test('a stream cut before message_stop ends with one Anthropic error event, never a clean end', async () => {
    suite.upstream.behaviour = (req, res) => {
      if (req.url.split('?')[0] !== '/v1/messages') return 'default';
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(transcript('thinking-text').split('event: message_delta')[0]);
      return undefined;
    };
    const res = await post('/v1/messages', JSON.stringify({ model: 'm', max_tokens: 5, stream: true, messages: [] }));
    const text = await res.text();
    const last = text.trimEnd().split('\n\n').pop()!;
    expect(last.split('\n')[0]).toBe('event: error');
    const data = JSON.parse(last.split('\n')[1].slice(6));
    expectAnthropicError(data, 'api_error');
    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
    expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', errorType: 'server_error' });
  });
});
