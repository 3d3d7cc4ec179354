/** Opening an MCP client on a configured server (Streamable HTTP, legacy SSE fallback, stdio) and listing its tools. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'winston';
import type { McpServerSpec } from './mcp-options';
import { shortText } from './tool-results';
import type { TraceHeaderWriter } from './types';

const CLIENT_INFO = { name: 'express-aibridge', version: '0.1.0' };
/** A server that keeps handing out cursors is cut off here rather than listed forever. */
const MAX_LIST_PAGES = 100;

/** Streamable HTTP answered with a client error: the server may only speak the legacy HTTP+SSE transport. */
function suggestsLegacySse(err: unknown): boolean {
  return err instanceof StreamableHTTPError && err.code !== undefined && err.code >= 400 && err.code < 500;
}

function stdioTransport(spec: Extract<McpServerSpec, { kind: 'stdio' }>, logger: () => Logger): Transport {
  const transport = new StdioClientTransport({ command: spec.command, args: spec.args, env: spec.env, cwd: spec.cwd, stderr: 'pipe' });
  // Read (and log) the child's stderr, so that a chatty server never blocks on a full pipe.
  transport.stderr?.on('data', (chunk: Buffer) => {
    logger().debug('MCP server stderr', { server: spec.name, text: shortText(chunk.toString('utf8').trimEnd(), 2000) });
  });
  return transport;
}

/** `fetch` with the active trace context added to each request's headers, when the bridge traces (else plain `fetch`). */
function tracedFetch(traceHeaders: () => TraceHeaderWriter | undefined): typeof fetch {
  return function fetchWithTraceContext(input, init) {
    const write = traceHeaders();
    if (!write) return fetch(input, init);
    const added: Record<string, string> = {};
    write(added);
    if (Object.keys(added).length === 0) return fetch(input, init);
    const headers = new Headers(init?.headers);
    for (const [name, value] of Object.entries(added)) headers.set(name, value);
    return fetch(input, { ...init, headers });
  };
}

/**
 * Connects to `spec` and completes `initialize` within `timeoutMs`. `prepare` sees each client before it connects
 * (to register handlers and to be able to close it). Rejects when the deadline passes; a client connecting
 * after that is closed. `logger` is asked at each use: the bridge may attach its own after the first attempt began.
 */
export async function openClient(
  spec: McpServerSpec, timeoutMs: number, logger: () => Logger, traceHeaders: (() => TraceHeaderWriter | undefined) | undefined, prepare: (client: Client) => void,
): Promise<Client> {
  let expired = false;
  const connectWith = async (transport: Transport): Promise<Client> => {
    if (expired) throw new Error('connect deadline passed');
    const client = new Client(CLIENT_INFO, { capabilities: {} });
    prepare(client);
    await client.connect(transport, { timeout: timeoutMs });
    if (expired) {
      await client.close().catch(() => undefined);
      throw new Error('connect deadline passed');
    }
    return client;
  };
  const connectAny = async (): Promise<Client> => {
    if (spec.kind === 'stdio') return connectWith(stdioTransport(spec, logger));
    const requestInit = { headers: spec.headers };
    const fetch = traceHeaders && tracedFetch(traceHeaders);
    const sse = () => connectWith(new SSEClientTransport(spec.url, { requestInit, fetch }));
    if (spec.transport === 'sse') return sse();
    try {
      return await connectWith(new StreamableHTTPClientTransport(spec.url, { requestInit, fetch }));
    } catch (err) {
      if (spec.transport !== 'auto' || !suggestsLegacySse(err)) throw err;
      logger().info('MCP server refused Streamable HTTP; trying legacy SSE', { server: spec.name, status: (err as StreamableHTTPError).code });
      return sse();
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = true;
      reject(new Error(`no connection within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([connectAny(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Every tool of the server, following `nextCursor`. Tools that can only run as tasks (which a plain `tools/call`
 * refuses) are left out; a name listed twice keeps its first entry.
 */
export async function listAllTools(client: Client, timeoutMs: number, serverName: string, logger: () => Logger): Promise<Tool[]> {
  const byName = new Map<string, Tool>();
  const cursors = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const result = await client.listTools(cursor === undefined ? undefined : { cursor }, { timeout: timeoutMs });
    for (const tool of result.tools) {
      if (tool.execution?.taskSupport === 'required' || byName.has(tool.name)) continue;
      byName.set(tool.name, tool);
    }
    cursor = result.nextCursor;
    if (cursor === undefined) return [...byName.values()];
    if (cursors.has(cursor)) break;
    cursors.add(cursor);
  }
  logger().warn('MCP server tool list did not end; using the pages read so far', { server: serverName, tools: byName.size });
  return [...byName.values()];
}
