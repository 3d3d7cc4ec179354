/**
 * Copilot headers and BYOK: GitHub Copilot through the bridge with the real SDKs — chat completions, Responses and
 * Anthropic Messages, blocking and streamed, with tool injection; the client's token and Copilot headers reach the
 * upstream, the token never reaches a record or a log; no token is a 401 sent nowhere; passthrough is an allowlist.
 */
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { Registry } from 'prom-client';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { copilotProvider } from '../../lib';
import { script } from '../../lib/testing';
import { chatCompletion, chunk } from '../../lib/testing/fixtures';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';
import { TestInjector } from '../helpers/test-injector';
import { dumpFolders, everyByte, removeTempDirs, tempDir } from '../helpers/dump-files';
import { COPILOT_MODELS, MCP_SESSION_ID, startCopilotUpstream, type CopilotUpstream } from '../helpers/copilot-upstream';

// Shaped like a real Copilot token: `;`, `=` and `:` inside one bearer value.
const TOKEN = 'tid=0123456789abcdef;exp=1900000000;sku=copilot_for_business;proxy-ep=proxy.example:7f3a9c2e41b8d6';
const COPILOT_HEADERS = {
  'Editor-Version': 'vscode/1.99.0',
  'Editor-Plugin-Version': 'copilot-chat/0.26.0',
  'Copilot-Integration-Id': 'vscode-chat',
  'Openai-Intent': 'conversation-panel',
  'X-Initiator': 'user',
  'Copilot-Vision-Request': 'true',
};
const USER = { 'x-user-token': 'user-token-alice' };
const injector = new TestInjector(3);
let upstream: CopilotUpstream;
let gw: Gateway;
const dumps = tempDir('aibridge-copilot-dumps-');
const registry = new Registry();
const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });

beforeAll(async () => {
  upstream = await startCopilotUpstream();
  gw = await startGateway({ providers: [copilotProvider({ baseURL: upstream.url })], tools: injector, dropHeaders: ['x-user-token'], dump: { dir: dumps },
    metrics: { registry }, tracing: { tracerProvider },
  });
});
afterAll(async () => {
  await gw.close();
  await upstream.close();
  await tracerProvider.shutdown();
  removeTempDirs();
});
beforeEach(() => {
  upstream.requests.length = 0;
  upstream.inner.behaviour = undefined;
  upstream.mcpStream = undefined;
  injector.calls.length = 0;
  injector.tools = [];
  gw.recorder.clear();
  spans.reset();
});

const openai = (apiKey = TOKEN) => new OpenAI({ apiKey, baseURL: `${gw.url}/copilot/v1`, maxRetries: 0, defaultHeaders: { ...USER, ...COPILOT_HEADERS } });
const anthropic = (auth: { authToken?: string | null; apiKey?: string | null } = { authToken: TOKEN, apiKey: null }, headers: Record<string, string | null> = {}) =>
  new Anthropic({ ...auth, baseURL: `${gw.url}/copilot`, maxRetries: 0, defaultHeaders: { ...USER, ...COPILOT_HEADERS, ...headers } });
const question = { model: 'gpt-4.1', messages: [{ role: 'user' as const, content: 'What is 2+3?' }] };

/** Every request the upstream got carried the client's token as a bearer token and the client's Copilot headers. */
function expectTokenAndHeaders(n: number): void {
  expect(upstream.requests).toHaveLength(n);
  for (const r of upstream.requests) {
    expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(r.headers['x-api-key']).toBeUndefined();
    for (const [name, value] of Object.entries(COPILOT_HEADERS)) expect(r.headers[name.toLowerCase()]).toBe(value);
    expect(r.headers['x-user-token']).toBeUndefined();
  }
}

/** The token appears nowhere the bridge wrote: records (every kind), log lines and API dumps. */
function expectTokenNowhere(): void {
  const r = gw.recorder;
  const written = JSON.stringify([r.interceptions, r.interceptionEnds, r.tokenUsages, r.promptUsages, r.toolUsages, r.modelThoughts, r.passthroughs])
    + gw.logs.lines.join('\n') + everyByte(dumps) + JSON.stringify(spans.getFinishedSpans().map((span) => span.attributes));
  expect(written).not.toContain(TOKEN);
  expect(written).not.toContain('0123456789abcdef');
}

async function ended(n = 1): Promise<void> {
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(n));
}

test('chat completions, blocking: sent to /chat/completions with the token and Copilot headers; recorded as BYOK under kind copilot', async () => {
  upstream.inner.behaviour = script([{ text: 'Five.' }]);
  const answer = await openai().chat.completions.create(question);
  expect(answer.choices[0].message.content).toBe('Five.');
  expectTokenAndHeaders(1);
  expect(upstream.requests[0]).toMatchObject({ method: 'POST', url: '/chat/completions' });
  await ended();
  expect(gw.recorder.interceptions[0]).toMatchObject({ provider: 'copilot', providerName: 'copilot', route: '/v1/chat/completions', credentialKind: 'byok', model: 'gpt-4.1' });
  expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed', httpStatus: 200 });
  expect(gw.recorder.interceptionEnds[0].credentialHint).toBe('tid=...b8d6');
  // The attempt was dumped, its credential shown by its hint only.
  await eventually(() => expect(everyByte(dumps)).toContain('Bearer tid=...b8d6'));
  expect(dumpFolders(dumps).length).toBeGreaterThan(0);
  expectTokenNowhere();
});

test('chat completions, streamed: the events reach the client, the usage is recorded', async () => {
  upstream.inner.behaviour = script([{ text: 'It is five.', usage: { input: 12, output: 4 } }]);
  const stream = await openai().chat.completions.create({ ...question, stream: true, stream_options: { include_usage: true } });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  expect(text).toBe('It is five.');
  expectTokenAndHeaders(1);
  await ended();
  expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed', httpStatus: 200 });
  expect(gw.recorder.tokenUsages[0]).toMatchObject({ input: 12, output: 4 });
  expectTokenNowhere();
});

test('Responses, blocking and streamed: sent to /responses', async () => {
  upstream.inner.behaviour = script([{ text: 'Blocking five.' }, { text: 'Streamed five.' }]);
  const blocking = await openai().responses.create({ model: 'gpt-4.1', input: 'What is 2+3?' });
  expect(blocking.output_text).toBe('Blocking five.');
  const stream = await openai().responses.create({ model: 'gpt-4.1', input: 'What is 2+3?', stream: true });
  let text = '';
  for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
  expect(text).toBe('Streamed five.');
  expectTokenAndHeaders(2);
  expect(upstream.requests.map((r) => r.url)).toEqual(['/responses', '/responses']);
  await ended(2);
  expect(gw.recorder.interceptions.map((i) => i.route)).toEqual(['/v1/responses', '/v1/responses']);
  expectTokenNowhere();
});

test('Anthropic Messages with the Anthropic SDK, blocking and streamed: sent to /v1/messages, the token as a bearer', async () => {
  upstream.inner.behaviour = script([{ text: 'Five, blocking.' }, { text: 'Five, streamed.' }]);
  const blocking = await anthropic().messages.create({ model: 'claude-sonnet-4', max_tokens: 64, messages: [{ role: 'user', content: 'What is 2+3?' }] });
  expect(blocking.content).toEqual([expect.objectContaining({ type: 'text', text: 'Five, blocking.' })]);
  const final = await anthropic().messages.stream({ model: 'claude-sonnet-4', max_tokens: 64, messages: [{ role: 'user', content: 'What is 2+3?' }] }).finalMessage();
  expect(final.content).toEqual([expect.objectContaining({ type: 'text', text: 'Five, streamed.' })]);
  expectTokenAndHeaders(2);
  expect(upstream.requests.map((r) => r.url)).toEqual(['/v1/messages', '/v1/messages']);
  await ended(2);
  expect(gw.recorder.interceptions[0]).toMatchObject({ provider: 'copilot', route: '/v1/messages', credentialKind: 'byok' });
  expectTokenNowhere();
});

test('an Anthropic SDK given the token as its API key: it still goes upstream as a bearer token, never as x-api-key', async () => {
  upstream.inner.behaviour = script([{ text: 'Five.' }]);
  const answer = await anthropic({ apiKey: TOKEN, authToken: null }).messages.create({ model: 'claude-sonnet-4', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
  expect(answer.content[0]).toMatchObject({ text: 'Five.' });
  expectTokenAndHeaders(1);
});

test('metrics and spans name the provider copilot and the credential byok, never the token', async () => {
  upstream.inner.behaviour = script([{ text: 'Five.' }]);
  await openai().chat.completions.create(question);
  await ended();
  const scraped = await registry.metrics();
  expect(scraped).toMatch(/aibridge_interceptions_total\{[^}]*provider="copilot"[^}]*api="chat-completions"[^}]*status="completed"/);
  expect(scraped).not.toContain(TOKEN);
  await eventually(() => expect(spans.getFinishedSpans().length).toBeGreaterThan(0));
  const bridged = spans.getFinishedSpans().find((span) => span.attributes['aibridge.provider'] === 'copilot');
  expect(bridged?.attributes).toMatchObject({ 'aibridge.credential.kind': 'byok' });
  expect(spans.getFinishedSpans().map((span) => span.attributes)).toContainEqual(expect.objectContaining({ 'aibridge.credential.hint': 'tid=...b8d6' }));
  expectTokenNowhere();
});

describe('upstream answers', () => {
  test('an answer that echoes the token reaches the client, the records and the logs redacted', async () => {
    upstream.inner.behaviour = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(chatCompletion({ choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: `You sent ${String(req.headers.authorization)}` } }] })));
    };
    const answer = await openai().chat.completions.create(question);
    expect(answer.choices[0].message.content).toMatch(/^You sent Bearer /);
    expect(answer.choices[0].message.content).not.toContain(TOKEN);
    expectTokenAndHeaders(1);
    await ended();
    expectTokenNowhere();
  });

  test('Copilot refusing the token (expired): its 401 relayed as it came, one attempt, the token never in it', async () => {
    upstream.inner.behaviour = (_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'unauthorized: token expired', type: 'invalid_request_error', code: 'token_expired' } }));
    };
    const err = await openai().chat.completions.create(question).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).error).toMatchObject({ message: 'unauthorized: token expired', code: 'token_expired' });
    expectTokenAndHeaders(1);
    await ended();
    expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: 401 });
    expectTokenNowhere();
  });

  test('Anthropic Messages: the upstream\'s own Anthropic-shaped error relayed to the Anthropic SDK', async () => {
    upstream.inner.behaviour = script([{ error: { status: 400, message: 'model claude-x is not supported' } }]);
    const err = await anthropic().messages.create({ model: 'claude-x', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: 'error', error: { message: 'model claude-x is not supported' } });
  });

  test('a client leaving mid-stream: the upstream call is cut, the interception ends aborted', async () => {
    let cut!: Promise<void>;
    upstream.inner.behaviour = (req, res) => {
      cut = req.closedEarly;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(chunk({ role: 'assistant', content: 'Still ' }))}\n\n`); // and never ends
    };
    const controller = new AbortController();
    const stream = await openai().chat.completions.create({ ...question, stream: true }, { signal: controller.signal });
    for await (const part of stream) {
      expect(part.choices[0]?.delta?.content).toBe('Still ');
      controller.abort();
    }
    let timer: NodeJS.Timeout | undefined;
    const stillOpen = new Promise((r) => { timer = setTimeout(() => r('still open'), 2000); });
    await expect(Promise.race([cut.then(() => 'cut'), stillOpen]).finally(() => clearTimeout(timer))).resolves.toBe('cut');
    await ended();
    expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'aborted' });
  });
});

describe('tool injection', () => {
  beforeEach(() => {
    injector.tools = [...(new TestInjector().tools)];
  });
  const steps = () => script([{ toolCalls: [{ name: 'bmcp_calc_add', arguments: { a: 2, b: 3 } }] }, { text: 'The answer is 5.' }]);

  test('chat completions: the injected tool runs in the bridge, both calls carry the token, the client sees the answer only', async () => {
    upstream.inner.behaviour = steps();
    const answer = await openai().chat.completions.create(question);
    expect(answer.choices[0].message).toMatchObject({ content: 'The answer is 5.' });
    expect(answer.choices[0].message.tool_calls ?? []).toEqual([]);
    expect(injector.calls.map((c) => [c.name, c.arguments])).toEqual([['bmcp_calc_add', { a: 2, b: 3 }]]);
    expect(injector.calls[0].ctx).toMatchObject({ providerName: 'copilot', actor: { id: 'alice' } });
    expectTokenAndHeaders(2);
    expect(upstream.requests[1].body).toContain('"5"');
    await ended();
    expect(gw.recorder.toolUsages).toEqual([expect.objectContaining({ tool: 'bmcp_calc_add', injected: true })]);
    expectTokenNowhere();
  });

  test('Responses, streamed: the tool call is hidden, the answer streamed', async () => {
    upstream.inner.behaviour = steps();
    const stream = await openai().responses.create({ model: 'gpt-4.1', input: 'What is 2+3?', stream: true });
    let text = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
    expect(text).toBe('The answer is 5.');
    expect(injector.calls.map((c) => c.name)).toEqual(['bmcp_calc_add']);
    expectTokenAndHeaders(2);
    expect(upstream.requests.map((r) => r.url)).toEqual(['/responses', '/responses']);
  });

  test('Anthropic Messages, streamed: the tool_use block is hidden, the answer streamed', async () => {
    upstream.inner.behaviour = steps();
    const final = await anthropic().messages.stream({ model: 'claude-sonnet-4', max_tokens: 256, messages: [{ role: 'user', content: 'What is 2+3?' }] }).finalMessage();
    expect(final.content).toEqual([expect.objectContaining({ type: 'text', text: 'The answer is 5.' })]);
    expect(injector.calls.map((c) => c.name)).toEqual(['bmcp_calc_add']);
    expectTokenAndHeaders(2);
    expect(upstream.requests.map((r) => r.url)).toEqual(['/v1/messages', '/v1/messages']);
    expectTokenNowhere();
  });
});

describe('without a token', () => {
  async function raw(path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
    const res = await fetch(`${gw.url}/copilot${path}`, { ...init, headers: { 'content-type': 'application/json', ...USER, ...COPILOT_HEADERS, ...(init.headers as object) } });
    return { status: res.status, body: await res.json() };
  }

  test('chat completions and Responses: a 401 in OpenAI\'s shape, nothing sent upstream', async () => {
    for (const path of ['/v1/chat/completions', '/v1/responses']) {
      const plain = await raw(path, { method: 'POST', body: JSON.stringify({ ...question, input: 'hi' }) });
      expect(plain.status).toBe(401);
      expect(plain.body).toEqual({ error: { type: 'authentication_error', code: 'missing_api_key', message: expect.stringContaining('own API key') } });
    }
    // An empty bearer token is no token.
    const empty = await raw('/v1/chat/completions', { method: 'POST', body: JSON.stringify(question), headers: { authorization: 'Bearer ' } });
    expect(empty.status).toBe(401);
    expect(upstream.requests).toHaveLength(0);
    // Recorded as refused, under the only credential kind this provider has.
    await ended(3);
    expect(gw.recorder.interceptions.map((i) => [i.route, i.credentialKind])).toEqual([
      ['/v1/chat/completions', 'byok'], ['/v1/responses', 'byok'], ['/v1/chat/completions', 'byok'],
    ]);
    for (const end of gw.recorder.interceptionEnds) expect(end).toMatchObject({ status: 'failed', httpStatus: 401, errorCode: 'missing_api_key' });
    expect(upstream.requests).toHaveLength(0);
  });

  test('Anthropic Messages: a 401 in Anthropic\'s shape, nothing sent upstream', async () => {
    // Told to send no credential header at all (the SDK refuses to send without one unless told so).
    const err = await anthropic({ apiKey: null, authToken: null }, { authorization: null }).messages.create({ model: 'claude-sonnet-4', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((err as InstanceType<typeof Anthropic.AuthenticationError>).error).toEqual({ type: 'error', error: expect.objectContaining({ type: 'authentication_error' }) });
    const plain = await raw('/v1/messages', { method: 'POST', body: JSON.stringify({ model: 'claude-sonnet-4', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }) });
    expect(plain.status).toBe(401);
    expect(plain.body).toEqual({ type: 'error', error: expect.objectContaining({ type: 'authentication_error' }) });
    expect(upstream.requests).toHaveLength(0);
  });

  test('passthrough: a 401 in OpenAI\'s shape, nothing sent upstream', async () => {
    const plain = await raw('/v1/models');
    expect(plain.status).toBe(401);
    expect(plain.body).toEqual({ error: expect.objectContaining({ type: 'authentication_error', code: 'missing_api_key' }) });
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('passthrough', () => {
  const withToken = { ...USER, ...COPILOT_HEADERS, authorization: `Bearer ${TOKEN}` };

  test('/v1/models through the OpenAI SDK: GET /models upstream with the token and Copilot headers', async () => {
    const models = await openai().models.list();
    expect(models.data.map((m) => m.id)).toEqual(COPILOT_MODELS.data.map((m) => m.id));
    expectTokenAndHeaders(1);
    expect(upstream.requests[0]).toMatchObject({ method: 'GET', url: '/models' });
    await eventually(() => expect(gw.recorder.passthroughs).toHaveLength(1));
    expectTokenNowhere();
  });

  test('a /.well-known path, /agents and an MCP call reach the upstream at its root', async () => {
    const wellKnown = await fetch(`${gw.url}/copilot/v1/.well-known/oauth-protected-resource/mcp`, { headers: withToken });
    expect(wellKnown.status).toBe(200);
    expect(await wellKnown.json()).toMatchObject({ path: '/.well-known/oauth-protected-resource/mcp' });
    const agents = await fetch(`${gw.url}/copilot/v1/agents`, { headers: withToken });
    expect(await agents.json()).toEqual({ agents: [{ slug: 'docs', name: 'Docs' }] });
    const mcp = await fetch(`${gw.url}/copilot/v1/mcp/`, { method: 'POST', headers: { ...withToken, 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(await mcp.json()).toMatchObject({ result: { echoed: { method: 'tools/list' } } });
    // The session MCP opened comes back to the client, which sends it on its next calls.
    expect(mcp.headers.get('mcp-session-id')).toBe(MCP_SESSION_ID);
    expectTokenAndHeaders(3);
    expect(upstream.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /.well-known/oauth-protected-resource/mcp', 'GET /agents', 'POST /mcp/']);
    expectTokenNowhere();
  });

  test('an MCP event stream (GET /v1/mcp/) reaches the client event by event, not buffered', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => { release = resolve; });
    upstream.mcpStream = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'mcp-session-id': MCP_SESSION_ID });
      res.write('event: message\ndata: {"jsonrpc":"2.0","method":"notifications/one"}\n\n');
      void released.then(() => res.end('event: message\ndata: {"jsonrpc":"2.0","method":"notifications/two"}\n\n'));
    };
    const res = await fetch(`${gw.url}/copilot/v1/mcp/`, { headers: { ...withToken, accept: 'text/event-stream', 'mcp-session-id': MCP_SESSION_ID } });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // The second event is written only once the first has reached the client.
    while (!text.includes('notifications/one')) text += decoder.decode((await reader.read()).value);
    expect(text).not.toContain('notifications/two');
    release();
    for (let part = await reader.read(); !part.done; part = await reader.read()) text += decoder.decode(part.value);
    expect(text).toContain('notifications/two');
    expectTokenAndHeaders(1);
    expect(upstream.requests[0].headers['mcp-session-id']).toBe(MCP_SESSION_ID);
  });

  test.each([
    ['GET', '/v1/files'],
    ['POST', '/v1/embeddings'],
    ['DELETE', '/v1/models'],
    ['GET', '/models'],
    ['GET', '/v1/user'],
  ])('%s %s, outside the allowlist: a 404 in OpenAI\'s shape, nothing sent upstream', async (method, path) => {
    const res = await fetch(`${gw.url}/copilot${path}`, { method, headers: { ...withToken, 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: expect.objectContaining({ code: 'unknown_route' }) });
    expect(upstream.requests).toHaveLength(0);
  });
});
