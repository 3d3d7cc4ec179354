/** Copilot's `/mcp` passthrough against hostile clients and a hostile upstream: endless streams, other sessions, cookies, echoed tokens. */
import { copilotSuite, TOKEN, USER, COPILOT_HEADERS } from '../helpers/copilot-suite';
import { MCP_SESSION_ID } from '../helpers/copilot-upstream';
import { eventually } from '../helpers/gateway';
import { rawHttp } from '../helpers/raw-http';

const s = copilotSuite();
const BOB_TOKEN = 'tid=fedcba9876543210;exp=1900000000;sku=copilot_for_business;proxy-ep=proxy.example:00ff00ff00ff00';
const headersOf = (token: string, user = USER) => ({ ...user, ...COPILOT_HEADERS, authorization: `Bearer ${token}` });

test('an MCP event stream that never ends: the client leaving aborts the upstream request; recorded with the status it was sent', async () => {
  let upstreamClosed = false;
  let opened!: () => void;
  const open = new Promise<void>((resolve) => { opened = resolve; });
  s.upstream.mcpStream = (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'mcp-session-id': MCP_SESSION_ID });
    res.write('event: message\ndata: {"jsonrpc":"2.0","method":"notifications/one"}\n\n');
    const timer = setInterval(() => res.write(': keep-alive\n\n'), 20);
    res.on('close', () => {
      clearInterval(timer);
      upstreamClosed = true;
    });
    opened();
  };
  const abort = new AbortController();
  const res = await fetch(`${s.gw.url}/copilot/v1/mcp/`, { headers: { ...headersOf(TOKEN), accept: 'text/event-stream' }, signal: abort.signal });
  const reader = res.body!.getReader();
  await open;
  await reader.read();
  abort.abort();
  await eventually(() => expect(upstreamClosed).toBe(true));
  await eventually(() => expect(s.gw.recorder.passthroughs).toHaveLength(1));
  // 499 is for a client that left before any answer; this one had its 200.
  expect(s.gw.recorder.passthroughs[0].httpStatus).toBe(200);
});

test('a session id Alice was given, sent by Bob: it goes up with Bob\'s own token only, and the answer\'s cookie never comes back', async () => {
  s.upstream.mcpStream = (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'mcp-session-id': MCP_SESSION_ID, 'set-cookie': 'copilot_session=abc; Path=/' });
    res.end(`event: message\ndata: {"jsonrpc":"2.0","method":"notifications/token","params":{"echo":"${BOB_TOKEN}"}}\n\n`);
  };
  const res = await fetch(`${s.gw.url}/copilot/v1/mcp/`, {
    headers: { ...headersOf(BOB_TOKEN, { 'x-user-token': 'user-token-bob' }), accept: 'text/event-stream', 'mcp-session-id': MCP_SESSION_ID },
  });
  const text = await res.text();
  expect(res.headers.get('set-cookie')).toBeNull();
  expect(res.headers.get('mcp-session-id')).toBe(MCP_SESSION_ID);
  expect(text).toContain('notifications/token');
  expect(text).not.toContain(BOB_TOKEN);
  expect(s.upstream.requests).toHaveLength(1);
  expect(s.upstream.requests[0].headers.authorization).toBe(`Bearer ${BOB_TOKEN}`);
  expect(s.upstream.requests[0].headers['mcp-session-id']).toBe(MCP_SESSION_ID);
});

test('two authorization headers, or a token only in an odd-cased Api-Key: never two credentials upstream', async () => {
  // Node keeps the first of two `authorization` headers; what reaches the upstream is that one, once.
  const body = '{"jsonrpc":"2.0","id":1,"method":"tools/list"}';
  const url = new URL(`${s.gw.url}/copilot/v1/mcp/`);
  const raw = await rawHttp(url.href, [[
    `POST ${url.pathname} HTTP/1.1`, `Host: ${url.host}`, 'Connection: close', 'x-user-token: user-token-alice',
    `authorization: Bearer ${TOKEN}`, `Authorization: Bearer ${BOB_TOKEN}`, `Api-Key: ${BOB_TOKEN}`, 'content-type: application/json',
    `content-length: ${body.length}`, '', body,
  ].join('\r\n')]);
  expect(raw.status).toBe(200);
  expect(s.upstream.requests).toHaveLength(1);
  const up = s.upstream.requests[0].headers;
  expect(up.authorization).toBe(`Bearer ${TOKEN}`);
  expect(up['api-key']).toBeUndefined();
  expect(JSON.stringify(up)).not.toContain('fedcba9876543210');
});
