/** Test MCP servers built with the MCP SDK: a tool zoo (McpServer) and a paginating low-level Server. */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { hostLegacySse, hostStreamableHttp, type McpHttpHost } from './mcp-http-host';

/** A 1×1 transparent PNG. */
export const TINY_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

/** What the tool zoo saw, shared by every session. */
export interface ZooState {
  calls: string[];
  /** `hang` calls that ended because the client cancelled them. */
  cancelled: number;
}

/**
 * The tools: `add` (succeeds), `fail` (`isError`), `throw` (the handler throws), `hang` (until cancelled),
 * `image`, `structured` (with an output schema); `addTool(name)` adds an `echo`-like tool to every live session,
 * which makes the SDK send `notifications/tools/list_changed`.
 */
export class ToolZoo {
  readonly state: ZooState = { calls: [], cancelled: 0 };
  private readonly live = new Set<McpServer>();
  private readonly extra: string[] = [];

  /** A server for one session. */
  build = (): McpServer => {
    const server = new McpServer({ name: 'zoo', version: '1.0.0' });
    const { state } = this;
    const called = (name: string): void => void state.calls.push(name);
    server.registerTool('add', { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => {
      called('add');
      return { content: [{ type: 'text', text: String(a + b) }] };
    });
    server.registerTool('fail', { description: 'Always fails' }, async () => {
      called('fail');
      return { content: [{ type: 'text', text: 'it failed on purpose' }], isError: true };
    });
    server.registerTool('throw', { description: 'Throws' }, async () => {
      called('throw');
      throw new Error('boom from the tool');
    });
    server.registerTool('hang', { description: 'Never answers unless cancelled' }, (extra) => {
      called('hang');
      return new Promise((resolve) => {
        const done = (): void => {
          state.cancelled++;
          resolve({ content: [{ type: 'text', text: 'cancelled' }] });
        };
        if (extra.signal.aborted) done();
        else extra.signal.addEventListener('abort', done, { once: true });
      });
    });
    server.registerTool('image', { description: 'A tiny image' }, async () => {
      called('image');
      return { content: [{ type: 'image', data: TINY_PNG, mimeType: 'image/png' }] };
    });
    server.registerTool('structured', { description: 'Structured output', outputSchema: { value: z.number() } }, async () => {
      called('structured');
      return { content: [{ type: 'text', text: '{"value":42}' }], structuredContent: { value: 42 } };
    });
    for (const name of this.extra) this.registerExtra(server, name);
    this.live.add(server);
    server.server.onclose = () => void this.live.delete(server);
    return server;
  };

  addTool(name: string): void {
    this.extra.push(name);
    for (const server of this.live) this.registerExtra(server, name);
  }

  private registerExtra(server: McpServer, name: string): void {
    server.registerTool(name, { description: `Added at runtime: ${name}` }, async () => ({ content: [{ type: 'text', text: name }] }));
  }
}

/** The zoo over Streamable HTTP. */
export async function startZooHttp(port = 0): Promise<{ zoo: ToolZoo; host: McpHttpHost }> {
  const zoo = new ToolZoo();
  return { zoo, host: await hostStreamableHttp(zoo.build, port) };
}

/** The zoo over the legacy HTTP+SSE transport. */
export async function startZooLegacySse(): Promise<{ zoo: ToolZoo; host: McpHttpHost }> {
  const zoo = new ToolZoo();
  return { zoo, host: await hostLegacySse(zoo.build) };
}

/** A tool list served in pages of `pageSize`; changed silently (no `list_changed`) by assigning `tools`. */
export interface PagedState {
  tools: string[];
  pageSize: number;
  /** When true, every page points back to the first one. */
  endlessCursor?: boolean;
  listCalls: number;
}

/** A low-level `Server` whose `tools/list` paginates with `nextCursor` (`McpServer` never paginates). */
export function pagedServerFactory(state: PagedState): () => Server {
  return () => {
    const server = new Server({ name: 'paged', version: '1.0.0' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, (req) => {
      state.listCalls++;
      const start = Number(req.params?.cursor ?? 0);
      const end = start + state.pageSize;
      const tools = state.tools.slice(start, end).map((name) => ({ name, inputSchema: { type: 'object' as const } }));
      const nextCursor = state.endlessCursor ? '0' : end < state.tools.length ? String(end) : undefined;
      return nextCursor === undefined ? { tools } : { tools, nextCursor };
    });
    server.setRequestHandler(CallToolRequestSchema, (req) => ({ content: [{ type: 'text', text: `called ${req.params.name}` }] }));
    return server;
  };
}
