/** Serves test MCP servers over HTTP on 127.0.0.1 port 0: Streamable HTTP (one server per session), legacy SSE, or silence. */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

/** An `McpServer` or a low-level `Server`: one instance per session. */
export interface ConnectableServer {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}

export interface McpHttpHost {
  /** The MCP endpoint (`/mcp`, or `/sse` for legacy SSE). */
  url: string;
  port: number;
  /** Method, path and headers of every request received. */
  requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, text = ''): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>,
  endpoint: string,
  port: number,
  servers: Set<ConnectableServer>,
): Promise<McpHttpHost> {
  const requests: McpHttpHost['requests'] = [];
  const http: HttpServer = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ method: req.method ?? '', path, headers: req.headers });
    handler(req, res, path).catch(() => {
      if (!res.headersSent) send(res, 500);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const actual = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}${endpoint}`,
    port: actual,
    requests,
    async close() {
      await Promise.all([...servers].map((s) => s.close().catch(() => undefined)));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** Streamable HTTP at `/mcp`, stateful: `factory()` makes the server of each new session. */
export function hostStreamableHttp(factory: () => ConnectableServer, port = 0): Promise<McpHttpHost> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const servers = new Set<ConnectableServer>();
  return listen(async (req, res, path) => {
    if (path !== '/mcp') return send(res, 404, '{"error":"not found"}');
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = sessions.get(sessionId);
      if (!transport) return send(res, 404, '{"error":"unknown session"}');
      return transport.handleRequest(req, res);
    }
    if (req.method !== 'POST') return send(res, 405);
    const body = await readJson(req);
    if (!isInitializeRequest(body)) return send(res, 400, '{"error":"initialize first"}');
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => void sessions.set(id, transport),
    });
    transport.onclose = () => void (transport.sessionId && sessions.delete(transport.sessionId));
    const server = factory();
    servers.add(server);
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }, '/mcp', port, servers);
}

/** The legacy HTTP+SSE transport: `GET /sse` opens the stream, `POST /messages?sessionId=` carries requests; else 404. */
export function hostLegacySse(factory: () => ConnectableServer): Promise<McpHttpHost> {
  const sessions = new Map<string, SSEServerTransport>();
  const servers = new Set<ConnectableServer>();
  return listen(async (req, res, path) => {
    if (req.method === 'GET' && path === '/sse') {
      const transport = new SSEServerTransport('/messages', res);
      sessions.set(transport.sessionId, transport);
      const server = factory();
      servers.add(server);
      return server.connect(transport);
    }
    if (req.method === 'POST' && path === '/messages') {
      const transport = sessions.get(new URL(req.url ?? '/', 'http://x').searchParams.get('sessionId') ?? '');
      if (!transport) return send(res, 404);
      return transport.handlePostMessage(req, res);
    }
    send(res, 404, '{"error":"not found"}');
  }, '/sse', 0, servers);
}

/** Accepts connections and requests, never answers: a hung MCP server. */
export function hostSilent(): Promise<McpHttpHost> {
  return listen(() => new Promise<void>(() => undefined), '/mcp', 0, new Set());
}

/** A loopback port that was free a moment ago (for a server that should start later). */
export async function freePort(): Promise<number> {
  const host = await listen(async (_req, res) => send(res, 404), '/', 0, new Set());
  await host.close();
  return host.port;
}
