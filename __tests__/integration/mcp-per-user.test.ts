/** Per-user MCP credentials: one HTTP MCP server that checks each user's bearer token and lists different tools per user. */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { mcpToolInjector, openaiProvider, type McpToolInjector } from '../../lib';
import { chatScript } from '../helpers/chat-script';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { everyByte, removeTempDirs, tempDir } from '../helpers/dump-files';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';

const ALICE_TOKEN = 'tok-alice-4f1c9a7e2b3d5f60';
const ALICE_NEW_TOKEN = 'tok-alice-rotated-9e8d7c6b5a';
const BOB_TOKEN = 'tok-bob-0a1b2c3d4e5f6a7b';
const WRONG_TOKEN = 'tok-wrong-77aa88bb99cc00dd';
/** A token configured once for every request (static headers). */
const OPS_TOKEN = 'tok-ops-static-5c6d7e8f9a0b';
/** Who each token belongs to on the tool server. */
const OWNERS: Record<string, string> = { [ALICE_TOKEN]: 'alice', [ALICE_NEW_TOKEN]: 'alice', [BOB_TOKEN]: 'bob', [OPS_TOKEN]: 'ops' };

/** What the tool server saw: sessions opened per token, sessions ended, tool calls with the token that made them. */
interface TrackerState {
  inits: Map<string, number>;
  ended: number;
  calls: Array<{ token: string; tool: string }>;
}

/** An MCP server whose tools depend on the caller: alice has issues, bob has tickets, both can ask `whoami`. */
function trackerFor(token: string, state: TrackerState): McpServer {
  const server = new McpServer({ name: 'tracker', version: '1.0.0' });
  const called = (tool: string) => void state.calls.push({ token, tool });
  if (OWNERS[token] === 'ops') {
    // Answered by the HTTP layer below with an error page quoting the caller's token.
    server.registerTool('explode', { description: 'Fails at the HTTP layer' }, async () => ({ content: [] }));
  } else if (OWNERS[token] === 'alice') {
    server.registerTool('list_issues', { description: 'Your issues' }, async () => (called('list_issues'), { content: [{ type: 'text', text: 'ISSUE-1 for alice' }] }));
  } else {
    server.registerTool('list_tickets', { description: 'Your tickets' }, async () => (called('list_tickets'), { content: [{ type: 'text', text: 'TICKET-7 for bob' }] }));
  }
  // A careless server that quotes the credential it was called with.
  server.registerTool('whoami', { description: 'Who you are' }, async () => (called('whoami'), { content: [{ type: 'text', text: `you are ${OWNERS[token]}, token ${token}` }] }));
  return server;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
}

/** Streamable HTTP at /mcp that requires `Authorization: Bearer <known token>` on every request, each session bound to its token. */
async function startTracker(): Promise<{ url: string; state: TrackerState; close(): Promise<void> }> {
  const state: TrackerState = { inits: new Map(), ended: 0, calls: [] };
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; token: string }>();
  const servers: McpServer[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    // A hostile answer: it quotes the token it refuses.
    if (!OWNERS[token]) return void res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `invalid token ${token}` }));
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      if (!session) return void res.writeHead(404).end();
      if (session.token !== token) return void res.writeHead(403).end();
      if (req.method !== 'POST') return session.transport.handleRequest(req, res);
      const message = await readJson(req) as { method?: string; params?: { name?: string } };
      if (message?.method === 'tools/call' && message.params?.name === 'explode') {
        return void res.writeHead(502, { 'content-type': 'text/plain' }).end(`bad gateway for Authorization: Bearer ${token}`);
      }
      return session.transport.handleRequest(req, res, message);
    }
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const body = await readJson(req);
    if (!isInitializeRequest(body)) return void res.writeHead(400).end();
    state.inits.set(token, (state.inits.get(token) ?? 0) + 1);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => void sessions.set(id, { transport, token }),
    });
    transport.onclose = () => {
      if (transport.sessionId && sessions.delete(transport.sessionId)) state.ended++;
    };
    const server = trackerFor(token, state);
    servers.push(server);
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };
  const http: Server = createServer((req, res) => void handle(req, res).catch(() => res.headersSent ? res.destroy() : res.writeHead(500).end()));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    state,
    async close() {
      await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** The host's own store of its users' tokens for the tracker. */
const tokens: Record<string, string> = {};
const SESSION_TTL_MS = 1_500;
let tracker: Awaited<ReturnType<typeof startTracker>>;
let upstream: FakeUpstream;
let gw: Gateway;
let tools: McpToolInjector;
let dumpDir: string;

beforeAll(async () => {
  tracker = await startTracker();
  upstream = await startFakeOpenAI();
  tools = mcpToolInjector({
    servers: [{
      name: 'tracker',
      url: tracker.url,
      headers: ({ actor }) => {
        const token = tokens[actor.id];
        if (!token) throw new Error(`no tracker token for ${actor.id}`);
        return { authorization: `Bearer ${token}` };
      },
    }],
    // Only alice may ask who she is.
    allow: (ctx, tool) => tool.server === 'tracker' && (tool.name !== 'whoami' || ctx.actor.id === 'alice'),
    sessionTtlMs: SESSION_TTL_MS,
    retryDelayMs: { initial: 50, max: 100 },
    connectTimeoutMs: 3_000,
  });
  dumpDir = tempDir();
  gw = await startGateway({
    providers: [openaiProvider({ baseURL: upstream.url, keys: ['sk-per-user-000000000000001'] })],
    tools,
    dump: { dir: dumpDir },
    actor: (req) => ({ id: String(req.headers['x-user'] ?? 'anonymous') }),
  });
});

afterAll(async () => {
  await gw.close();
  await upstream.close();
  await tracker.close();
  removeTempDirs();
});

beforeEach(() => {
  Object.assign(tokens, { alice: ALICE_TOKEN, bob: BOB_TOKEN });
  tracker.state.calls.length = 0;
  gw.recorder.clear();
});

const client = (user: string) => new OpenAI({ apiKey: 'unused', baseURL: `${gw.url}/openai/v1`, maxRetries: 0, defaultHeaders: { 'x-user': user } });
const ask = (user: string, extra: Partial<OpenAI.Chat.ChatCompletionCreateParamsNonStreaming> = {}) =>
  client(user).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'what is mine?' }], ...extra });
const offered = (script: ReturnType<typeof chatScript>, call = 0): string[] =>
  ((script.calls[call].json.tools ?? []) as Array<{ function: { name: string } }>).map((t) => t.function.name);
const toolMessages = (script: ReturnType<typeof chatScript>, call: number): string[] =>
  script.calls[call].json.messages.filter((m: { role: string }) => m.role === 'tool').map((m: { content: string }) => m.content);
const secretsIn = (text: string): string[] => [ALICE_TOKEN, ALICE_NEW_TOKEN, BOB_TOKEN, WRONG_TOKEN, OPS_TOKEN].filter((t) => text.includes(t));
const everythingRecorded = (): string => {
  const r = gw.recorder;
  return JSON.stringify([r.interceptions, r.interceptionEnds, r.tokenUsages, r.promptUsages, r.toolUsages, r.modelThoughts, r.passthroughs]);
};

test('each user is offered their own tools and calls them with their own token; the policy function applies per user', async () => {
  const forAlice = chatScript([{ toolCalls: [{ id: 'a1', name: 'bmcp_tracker_list_issues', arguments: '{}' }] }, { text: 'you have ISSUE-1' }]);
  upstream.behaviour = forAlice;
  expect((await ask('alice')).choices[0].message.content).toBe('you have ISSUE-1');
  expect(offered(forAlice)).toEqual(['bmcp_tracker_list_issues', 'bmcp_tracker_whoami']);
  expect(toolMessages(forAlice, 1)).toEqual(['ISSUE-1 for alice']);

  const forBob = chatScript([{ toolCalls: [{ id: 'b1', name: 'bmcp_tracker_list_tickets', arguments: '{}' }] }, { text: 'you have TICKET-7' }]);
  upstream.behaviour = forBob;
  expect((await ask('bob')).choices[0].message.content).toBe('you have TICKET-7');
  expect(offered(forBob)).toEqual(['bmcp_tracker_list_tickets']);
  expect(toolMessages(forBob, 1)).toEqual(['TICKET-7 for bob']);

  // Called directly with bob's context: alice's tool and the tool the policy denies him never reach the server.
  const bob = { actor: { id: 'bob' }, providerName: 'openai', model: 'gpt-4o-mini', signal: new AbortController().signal };
  for (const name of ['bmcp_tracker_list_issues', 'bmcp_tracker_whoami']) {
    const result = await tools.callTool({ name, arguments: {} }, bob);
    expect(result).toMatchObject({ isError: true, content: [{ type: 'text', text: expect.stringMatching(/not available/) }] });
  }
  // One shared array per policy outcome, so the bridge's per-array work is not redone per request.
  expect(await tools.listTools(bob)).toBe(await tools.listTools(bob));
  expect(tracker.state.calls).toEqual([{ token: ALICE_TOKEN, tool: 'list_issues' }, { token: BOB_TOKEN, tool: 'list_tickets' }]);
});

test('a token never reaches the model, the client, a record, a log line or the status', async () => {
  // The server quotes alice's token in a tool result, and the model repeats it.
  const script = chatScript([{ toolCalls: [{ id: 'w1', name: 'bmcp_tracker_whoami', arguments: '{}' }] }, { text: `your token is ${ALICE_TOKEN}` }]);
  upstream.behaviour = script;
  const answer = await ask('alice');
  expect(tracker.state.calls).toEqual([{ token: ALICE_TOKEN, tool: 'whoami' }]);
  expect(toolMessages(script, 1)[0]).toMatch(/^you are alice, token \[redacted/);
  expect(answer.choices[0].message.content).toMatch(/^your token is \[redacted/);
  await eventually(() => expect(gw.recorder.toolUsages).toHaveLength(1));
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
  expect(secretsIn(JSON.stringify(answer))).toEqual([]);
  expect(secretsIn(everythingRecorded())).toEqual([]);
  expect(secretsIn(gw.logs.lines.join('\n'))).toEqual([]);
  expect(secretsIn(JSON.stringify(tools.status()))).toEqual([]);
  // The dump of the loop's second call holds the (redacted) tool result and the (redacted) answer.
  await eventually(() => expect(everyByte(dumpDir)).toContain('you are alice, token [redacted tool credential]'));
  expect(secretsIn(everyByte(dumpDir))).toEqual([]);
});

test('a wrong token: that user is offered none of the server\'s tools, the others still are; the refusal is logged without the token', async () => {
  tokens.bob = WRONG_TOKEN;
  const forBob = chatScript([{ text: 'no tools today' }]);
  upstream.behaviour = forBob;
  expect((await ask('bob')).choices[0].message.content).toBe('no tools today');
  expect(forBob.calls[0].json.tools).toBeUndefined();
  expect(tracker.state.inits.get(WRONG_TOKEN)).toBeUndefined();

  const forAlice = chatScript([{ text: 'hi' }]);
  upstream.behaviour = forAlice;
  await ask('alice');
  expect(offered(forAlice)).toEqual(['bmcp_tracker_list_issues', 'bmcp_tracker_whoami']);

  const status = tools.status().servers[0];
  expect(status.sessions?.failed).toBeGreaterThanOrEqual(1);
  expect(status.lastError?.message).toMatch(/401/);
  expect(secretsIn(JSON.stringify(tools.status()))).toEqual([]);
  const lines = gw.logs.lines.join('\n');
  expect(gw.logs.lines.some((l) => l.includes('MCP session unavailable') && l.includes('"actor":"bob"') && l.includes('"server":"tracker"'))).toBe(true);
  expect(secretsIn(lines)).toEqual([]);
});

test('a headers function that throws leaves the server\'s tools out of that request, and the request is served', async () => {
  const script = chatScript([{ text: 'served' }]);
  upstream.behaviour = script;
  expect((await ask('carol')).choices[0].message.content).toBe('served');
  expect(script.calls[0].json.tools).toBeUndefined();
  expect(gw.logs.lines.some((l) => l.includes('MCP headers function failed') && l.includes('no tracker token for carol'))).toBe(true);
});

test('one session per user, reused across requests, replaced when the token changes, closed after the idle TTL', async () => {
  await eventually(() => expect(tools.status().servers[0].sessions?.open).toBe(0), SESSION_TTL_MS * 4);
  const initsBefore = tracker.state.inits.get(ALICE_TOKEN) ?? 0;
  const endedBefore = tracker.state.ended;
  for (let i = 0; i < 3; i++) {
    upstream.behaviour = chatScript([{ text: `answer ${i}` }]);
    await ask('alice');
  }
  expect(tracker.state.inits.get(ALICE_TOKEN)).toBe(initsBefore + 1);
  expect(tools.status().servers[0].sessions).toEqual({ open: 1, ready: 1, failed: 0 });

  // The host refreshed alice's token: the next request opens a session with the new one and ends the old.
  tokens.alice = ALICE_NEW_TOKEN;
  const script = chatScript([{ toolCalls: [{ id: 'n1', name: 'bmcp_tracker_list_issues', arguments: '{}' }] }, { text: 'done' }]);
  upstream.behaviour = script;
  await ask('alice');
  expect(tracker.state.inits.get(ALICE_NEW_TOKEN)).toBe(1);
  expect(tracker.state.calls).toEqual([{ token: ALICE_NEW_TOKEN, tool: 'list_issues' }]);
  // At least the old one (on a slow machine the new one may already have idled out too).
  await eventually(() => expect(tracker.state.ended).toBeGreaterThanOrEqual(endedBefore + 1));

  // Idle: closed by the injector and ended on the server.
  await eventually(() => expect(tools.status().servers[0].sessions?.open).toBe(0), SESSION_TTL_MS * 4);
  await eventually(() => expect(tracker.state.ended).toBeGreaterThanOrEqual(endedBefore + 2));
  upstream.behaviour = chatScript([{ text: 'again' }]);
  await ask('alice');
  expect(tracker.state.inits.get(ALICE_NEW_TOKEN)).toBe(2);
});

describe('injectWhen: client-has-tools', () => {
  let other: Gateway;
  let own: McpToolInjector;
  beforeAll(async () => {
    own = mcpToolInjector({
      servers: [{ name: 'tracker', url: tracker.url, headers: async ({ actor }) => ({ authorization: `Bearer ${tokens[actor.id]}` }) }],
      injectWhen: 'client-has-tools',
    });
    other = await startGateway({
      providers: [openaiProvider({ baseURL: upstream.url, keys: ['sk-per-user-000000000000002'] })],
      tools: own,
      actor: (req) => ({ id: String(req.headers['x-user'] ?? 'anonymous') }),
    });
  });
  afterAll(() => other.close());

  const askOther = (extra: Partial<OpenAI.Chat.ChatCompletionCreateParamsNonStreaming>) =>
    new OpenAI({ apiKey: 'unused', baseURL: `${other.url}/openai/v1`, maxRetries: 0, defaultHeaders: { 'x-user': 'alice' } })
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'title this chat' }], ...extra });

  test('a request without tools of its own (a title request) gets none and opens no session; one with tools gets them', async () => {
    const initsBefore = tracker.state.inits.get(ALICE_TOKEN) ?? 0;
    const title = chatScript([{ text: 'A title' }]);
    upstream.behaviour = title;
    await askOther({});
    expect(title.calls[0].json.tools).toBeUndefined();
    expect(own.status().servers[0].sessions?.open).toBe(0);
    expect(tracker.state.inits.get(ALICE_TOKEN) ?? 0).toBe(initsBefore);

    const work = chatScript([{ text: 'working' }]);
    upstream.behaviour = work;
    await askOther({ tools: [{ type: 'function', function: { name: 'read_file', parameters: { type: 'object', properties: {} } } }] });
    expect(offered(work)).toEqual(['read_file', 'bmcp_tracker_list_issues', 'bmcp_tracker_whoami']);
    expect(tracker.state.inits.get(ALICE_TOKEN)).toBe(initsBefore + 1);
  });
});

describe('configured (static) headers', () => {
  let ops: Gateway;
  beforeAll(async () => {
    ops = await startGateway({
      providers: [openaiProvider({ baseURL: upstream.url, keys: ['sk-per-user-000000000000003'] })],
      tools: mcpToolInjector({ servers: [{ name: 'ops', url: tracker.url, headers: { authorization: `Bearer ${OPS_TOKEN}` } }] }),
    });
  });
  afterAll(() => ops.close());

  test('a failed call whose error quotes the configured token: neither the model, the records nor the logs get the token', async () => {
    const script = chatScript([{ toolCalls: [{ id: 'x1', name: 'bmcp_ops_explode', arguments: '{}' }] }, { text: 'it broke' }]);
    upstream.behaviour = script;
    const answer = await new OpenAI({ apiKey: 'user-token-alice', baseURL: `${ops.url}/openai/v1`, maxRetries: 0 })
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'explode' }] });
    expect(answer.choices[0].message.content).toBe('it broke');
    const [failure] = toolMessages(script, 1);
    expect(failure).toMatch(/^Error: Tool bmcp_ops_explode failed: .*bad gateway for Authorization: .*\[redacted/);
    expect(secretsIn(failure)).toEqual([]);
    await eventually(() => expect(ops.recorder.toolUsages).toHaveLength(1));
    const r = ops.recorder;
    expect(secretsIn(JSON.stringify([r.interceptions, r.interceptionEnds, r.toolUsages]))).toEqual([]);
    expect(secretsIn(ops.logs.lines.join('\n'))).toEqual([]);
  });
});

describe('maxSessions', () => {
  test('past the bound the least recently used session is closed (and ended on the server); close() ends the rest', async () => {
    const bounded = mcpToolInjector({
      servers: [{ name: 'tracker', url: tracker.url, headers: ({ actor }) => ({ authorization: `Bearer ${tokens[actor.id]}` }) }],
      maxSessions: 1,
    });
    const ctx = (id: string) => ({ actor: { id }, providerName: 'openai', model: 'gpt-4o-mini', signal: new AbortController().signal });
    const aliceInits = tracker.state.inits.get(ALICE_TOKEN) ?? 0;
    const ended = tracker.state.ended;
    expect((await bounded.listTools(ctx('alice'))).map((t) => t.name)).toEqual(['bmcp_tracker_list_issues', 'bmcp_tracker_whoami']);
    expect((await bounded.listTools(ctx('bob'))).map((t) => t.name)).toEqual(['bmcp_tracker_list_tickets', 'bmcp_tracker_whoami']);
    expect(bounded.status().servers[0]).toMatchObject({ state: 'ready', sessions: { open: 1, ready: 1, failed: 0 }, toolsListed: 2 });
    await eventually(() => expect(tracker.state.ended).toBe(ended + 1));
    await bounded.listTools(ctx('alice'));
    expect(tracker.state.inits.get(ALICE_TOKEN)).toBe(aliceInits + 2);
    await bounded.close();
    expect(tracker.state.ended).toBe(ended + 3);
    expect(bounded.status().servers[0]).toMatchObject({ state: 'closed', sessions: { open: 0 } });
    expect(await bounded.listTools(ctx('alice'))).toEqual([]);
  });
});
