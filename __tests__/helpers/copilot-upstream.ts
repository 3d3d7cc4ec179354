/**
 * A fake GitHub Copilot API: bearer tokens only (401 in OpenAI's shape without one), its routes at the root
 * (`/chat/completions`, `/responses`, `/v1/messages`) answered by the shared fake upstream behind it, streamed as
 * they come, and small canned answers for `/models`, `/agents`, `/mcp/` and `/.well-known/`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeUpstream, type FakeUpstreamOptions, type FakeUpstream } from '../../lib/testing';

/** One request as the Copilot fake got it. */
export interface CopilotRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface CopilotUpstream {
  /** The base URL a `copilotProvider` is given (no path, like Copilot's hosts). */
  url: string;
  /** The fake answering the bridged routes (scripts go on its `behaviour`). */
  inner: FakeUpstream;
  requests: CopilotRequest[];
  /** Answers `GET /mcp/…` instead of the canned JSON (e.g. an MCP event stream written step by step). */
  mcpStream: ((res: http.ServerResponse) => void) | undefined;
  close(): Promise<void>;
}

export const COPILOT_MODELS = { object: 'list', data: [{ id: 'gpt-4.1', object: 'model', vendor: 'Azure OpenAI' }, { id: 'claude-sonnet-4', object: 'model', vendor: 'Anthropic' }] };

/** Copilot's root paths → the shared fake's. */
const BRIDGED: Record<string, string> = { '/chat/completions': '/v1/chat/completions', '/responses': '/v1/responses', '/v1/messages': '/v1/messages' };

/** The session an MCP call opens (streamable HTTP): the client must see it to send it back. */
export const MCP_SESSION_ID = 'mcp-session-7f3a';

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'copilot-req-1', ...headers });
  res.end(JSON.stringify(body));
}

/** The canned answer of a passthrough route, or undefined when Copilot has no such route. */
function passthroughAnswer(method: string, path: string, body: string): unknown {
  if (method === 'GET' && path === '/models') return COPILOT_MODELS;
  if (method === 'GET' && path.startsWith('/models/')) return { id: decodeURIComponent(path.slice(8)), object: 'model' };
  if (method === 'GET' && path === '/agents') return { agents: [{ slug: 'docs', name: 'Docs' }] };
  if (path.startsWith('/mcp/') || path === '/mcp') return { jsonrpc: '2.0', id: 1, result: { echoed: method === 'POST' ? JSON.parse(body || 'null') : method } };
  if (method === 'GET' && path.startsWith('/.well-known/')) return { resource: 'https://api.githubcopilot.com/mcp', path };
  return undefined;
}

export async function startCopilotUpstream(options: FakeUpstreamOptions = {}): Promise<CopilotUpstream> {
  const inner = await startFakeUpstream(options);
  const upstream = { inner, requests: [] as CopilotRequest[], mcpStream: undefined } as CopilotUpstream;
  const innerPort = inner.port;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => answer(req, res, Buffer.concat(chunks)));
  });
  function answer(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    upstream.requests.push({ method: req.method!, url: req.url!, headers: req.headers, body: body.toString('utf8') });
    const auth = req.headers.authorization;
    if (typeof auth !== 'string' || !/^Bearer \S+$/.test(auth)) {
      return json(res, 401, { error: { message: 'unauthorized: no bearer token', type: 'invalid_request_error', code: 'unauthorized' } });
    }
    const queryAt = req.url!.indexOf('?');
    const path = queryAt < 0 ? req.url! : req.url!.slice(0, queryAt);
    const innerPath = req.method === 'POST' ? BRIDGED[path] : undefined;
    if (innerPath === undefined) {
      if (upstream.mcpStream && req.method === 'GET' && path.startsWith('/mcp')) return upstream.mcpStream(res);
      const canned = passthroughAnswer(req.method!, path, body.toString('utf8'));
      if (canned === undefined) return json(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'not_found' } });
      return json(res, 200, canned, path.startsWith('/mcp') ? { 'mcp-session-id': MCP_SESSION_ID } : {});
    }
    // Streamed through as it comes: the bridge sees the inner fake's chunks, not one buffered body.
    const headers = { ...req.headers, host: `127.0.0.1:${innerPort}`, 'content-length': String(body.length) };
    const forwarded = http.request({ host: '127.0.0.1', port: innerPort, method: 'POST', path: innerPath + (queryAt < 0 ? '' : req.url!.slice(queryAt)), headers }, (innerRes) => {
      res.writeHead(innerRes.statusCode ?? 502, innerRes.headers);
      innerRes.pipe(res);
    });
    forwarded.on('error', () => res.destroy());
    res.on('close', () => { if (!res.writableEnded) forwarded.destroy(); });
    forwarded.end(body);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  upstream.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await inner.close();
  };
  return upstream;
}
