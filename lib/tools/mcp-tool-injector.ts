/** mcpToolInjector: the built-in ToolInjector, offering the tools of configured MCP servers under stable names. */
import type { Logger } from 'winston';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { createDefaultLogger } from '../observability/logger';
import { McpServerConnection } from './mcp-server-connection';
import { resolveMcpOptions, type McpToolInjectorOptions } from './mcp-options';
import type { McpToolInjectorStatus } from './mcp-status';
import { assignToolNames, isToolAllowed } from './tool-names';
import { shortText, toolAbortError, toolArguments, toolError } from './tool-results';
import type { InjectedTool, JSONSchema, ToolCall, ToolCallResult, ToolContext, ToolInjector, ToolInjectorAttachContext, TraceHeaderWriter } from './types';

const LOOP_DEADLINE_GRACE_MS = 1_000;

/** The injector `mcpToolInjector()` returns: a {@link ToolInjector} whose optional members are all present. */
export interface McpToolInjector extends ToolInjector {
  readonly maxIterations: number;
  readonly callTimeoutMs: number;
  listTools(ctx?: ToolContext): Promise<InjectedTool[]>;
  attach(ctx: ToolInjectorAttachContext): void;
  close(): Promise<void>;
  /**
   * Each server's state, tool counts before and after `allow`/`deny`, last error (redacted) and last successful
   * listing, in configuration order; for health checks and dashboards. Cheap: reads what is in hand, never waits.
   */
  status(): McpToolInjectorStatus;
}

interface ToolRef {
  serverName: string;
  toolName: string;
  connection: McpServerConnection;
  tool: Tool;
}

interface ToolTable {
  generation: number;
  tools: InjectedTool[];
  byName: Map<string, ToolRef>;
}

/**
 * Offers the tools of MCP servers (Streamable HTTP, legacy SSE, stdio) to the model. Servers are connected
 * concurrently at creation; one that fails is retried with a doubling delay while the others' tools are served.
 *
 * - `listTools()` and `callTool()` wait, once, for every server's first connection attempt (each bounded by
 *   `connectTimeoutMs`), then never wait on a server's connection again: it answers from the lists in hand. The result is a shared, frozen array;
 *   copy it to change it.
 * - `callTool()` takes a shown name. An unknown name, bad arguments, a failure of the server or a call past
 *   `callTimeoutMs` resolve with `isError: true` and a text the model can read; it rejects (with an `AbortError`)
 *   only when `ctx.signal` aborts, after cancelling the call on the server.
 */
export function mcpToolInjector(options: McpToolInjectorOptions): McpToolInjector {
  const config = resolveMcpOptions(options);
  let logger: Logger | undefined = config.logger;
  const getLogger = (): Logger => (logger ??= createDefaultLogger());
  let traceHeaders: TraceHeaderWriter | undefined;
  let generation = 0;
  const connections = config.servers.map(
    (spec) =>
      new McpServerConnection(spec, {
        logger: getLogger,
        traceHeaders: () => traceHeaders,
        connectTimeoutMs: config.connectTimeoutMs,
        callTimeoutMs: config.callTimeoutMs,
        listTtlMs: config.listTtlMs,
        retryDelayMs: config.retryDelayMs,
        allowedCount: (tools) => tools.filter((tool) => isToolAllowed(tool.name, config.allow, config.deny)).length,
        onToolsChanged: () => {
          generation++;
        },
      }),
  );
  let started: Promise<void> | undefined = Promise.all(connections.map((c) => c.start())).then(() => {
    started = undefined;
  });
  let table: ToolTable = { generation: -1, tools: [], byName: new Map() };

  /** The names and tools of the current lists, rebuilt only when one of them changed. */
  function currentTable(): ToolTable {
    const lists = connections.map((c) => c.currentTools());
    if (table.generation === generation) return table;
    const refs: ToolRef[] = [];
    connections.forEach((connection, i) => {
      for (const tool of lists[i]) {
        if (isToolAllowed(tool.name, config.allow, config.deny)) {
          refs.push({ serverName: connection.spec.name, toolName: tool.name, connection, tool });
        }
      }
    });
    const { named, dropped } = assignToolNames(refs);
    for (const ref of dropped) getLogger().warn('MCP tool left out: its shown name is taken', { server: ref.serverName, tool: ref.toolName });
    const byName = new Map<string, ToolRef>();
    const tools = named.map(({ name, tool: ref }) => {
      byName.set(name, ref);
      const injected: InjectedTool = {
        name,
        inputSchema: ref.tool.inputSchema as JSONSchema,
        serverName: ref.serverName,
        serverUrl: ref.connection.spec.label,
        serverToolName: ref.toolName,
      };
      if (ref.tool.description !== undefined) injected.description = ref.tool.description;
      return Object.freeze(injected);
    });
    table = { generation, tools: Object.freeze(tools) as InjectedTool[], byName };
    return table;
  }

  return {
    maxIterations: config.maxIterations,
    // The loop's own deadline falls just after this injector's, so the server's cancel and its readable error come first.
    callTimeoutMs: config.callTimeoutMs + LOOP_DEADLINE_GRACE_MS,

    attach(ctx: ToolInjectorAttachContext): void {
      if (!config.logger) logger = ctx.logger;
      traceHeaders = ctx.traceHeaders;
      const stopReconnecting = (): void => connections.forEach((c) => c.stopReconnecting());
      if (ctx.closing?.aborted) stopReconnecting();
      else ctx.closing?.addEventListener('abort', stopReconnecting, { once: true });
    },

    async listTools(): Promise<InjectedTool[]> {
      if (started) await started;
      return currentTable().tools;
    },

    async callTool(call: ToolCall, ctx: ToolContext): Promise<ToolCallResult> {
      if (ctx.signal.aborted) throw toolAbortError(ctx.signal);
      // A host may call a tool it knows of without listing first; the first connection attempts bound the wait.
      if (started) await started;
      if (ctx.signal.aborted) throw toolAbortError(ctx.signal);
      const name = typeof call.name === 'string' ? call.name : '';
      const ref = currentTable().byName.get(name);
      if (!ref) return toolError(`Tool "${shortText(name)}" is not available.`);
      const args = toolArguments(call.arguments);
      if (typeof args === 'string') return toolError(`Tool ${name} was not called: ${args}`);
      return ref.connection.call(ref.toolName, args, ctx.signal, name);
    },

    status(): McpToolInjectorStatus {
      return { servers: connections.map((c) => c.status()) };
    },

    async close(): Promise<void> {
      await Promise.all(connections.map((c) => c.close()));
      generation++;
    },
  };
}
