/** mcpToolInjector: the built-in ToolInjector, offering the tools of configured MCP servers under stable names. */
import type { Logger } from 'winston';
import { createDefaultLogger } from '../observability/logger';
import { McpServerConnection } from './mcp-server-connection';
import { resolveMcpOptions, type McpServerSpec, type McpToolInjectorOptions } from './mcp-options';
import { credentialHeaderSecrets, type McpToolInjectorStatus } from './mcp-status';
import { buildToolTable, EMPTY_TABLE, isCurrent, toolsWhere, type ToolTable } from './mcp-tool-table';
import { ActorSessions } from './per-actor-sessions';
import { toolPolicy } from './tool-policy';
import { shortText, toolAbortError, toolArguments, toolError } from './tool-results';
import type { InjectedTool, ToolCall, ToolCallResult, ToolContext, ToolInjector, ToolInjectorAttachContext, TraceHeaderWriter } from './types';

const LOOP_DEADLINE_GRACE_MS = 1_000;
const NO_TOOLS: InjectedTool[] = Object.freeze([]) as unknown as InjectedTool[];

type HttpSpec = Extract<McpServerSpec, { kind: 'http' }>;
const isPerActor = (spec: McpServerSpec): spec is HttpSpec => spec.kind === 'http' && spec.headersOf !== undefined;

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
 * - A server whose `headers` is a function is not connected at creation: each actor's session is opened on that
 *   actor's first `listTools`/`callTool` (which waits for its first connection attempt) and reused after that
 *   (`lib/tools/per-actor-sessions.ts`). `allow`/`deny` functions are asked per request and per call; with
 *   `injectWhen: 'client-has-tools'` a request whose `ctx.clientHasTools` is false gets no tools.
 */
export function mcpToolInjector(options: McpToolInjectorOptions): McpToolInjector {
  const config = resolveMcpOptions(options);
  let logger: Logger | undefined = config.logger;
  const getLogger = (): Logger => (logger ??= createDefaultLogger());
  let traceHeaders: TraceHeaderWriter | undefined;
  let secrets: ToolInjectorAttachContext['secrets'];
  let generation = 0;
  let closed = false;
  const policy = toolPolicy(config.allow, config.deny, getLogger);
  const connect = (spec: McpServerSpec, reconnect: boolean, actor?: string): McpServerConnection =>
    new McpServerConnection(spec, {
      logger: getLogger,
      traceHeaders: () => traceHeaders,
      connectTimeoutMs: config.connectTimeoutMs,
      callTimeoutMs: config.callTimeoutMs,
      listTtlMs: config.listTtlMs,
      retryDelayMs: config.retryDelayMs,
      reconnect,
      ...(actor === undefined ? {} : { logFields: { actor } }),
      allowedCount: (tools) => tools.filter((tool) => policy.listed(tool.name)).length,
      onToolsChanged: () => {
        generation++;
      },
    });
  const connections = config.servers.filter((spec) => !isPerActor(spec)).map((spec) => connect(spec, true));
  const perActor = config.servers.filter(isPerActor);
  const sessions = perActor.length === 0 ? undefined : new ActorSessions({
    logger: getLogger,
    connect: (spec, actor) => connect(spec, false, actor),
    secrets: () => secrets,
    sessionTtlMs: config.sessionTtlMs,
    maxSessions: config.maxSessions,
    retryMs: config.retryDelayMs.initial,
    headersTimeoutMs: config.connectTimeoutMs,
  });
  let started: Promise<void> | undefined = Promise.all(connections.map((c) => c.start())).then(() => {
    started = undefined;
  });
  let table: ToolTable = EMPTY_TABLE;
  /** Per actor with per-actor servers: the table over the shared connections and the actor's own sessions. */
  const actorTables = new Map<string, ToolTable>();

  /** The table over `all`, rebuilt only when one of their lists changed (or the set of connections did). */
  function tableOver(all: readonly McpServerConnection[], cached: ToolTable | undefined): ToolTable {
    // Asked first, so that a list older than its TTL is refreshed in the background.
    for (const c of all) c.currentTools();
    return isCurrent(cached, generation, all) ? cached : buildToolTable(all, generation, policy.listed, getLogger);
  }

  /** The table of this request: the shared servers', plus, with per-actor servers, the actor's own sessions'. */
  async function tableFor(ctx: ToolContext | undefined): Promise<ToolTable> {
    if (started) await started;
    if (!sessions || !ctx) return (table = tableOver(connections, table));
    const own = await Promise.all(perActor.map((spec) => sessions.acquire(spec, ctx)));
    const all = [...connections, ...own.filter((c): c is McpServerConnection => c !== undefined)];
    const id = ctx.actor.id;
    const cached = actorTables.get(id);
    const current = tableOver(all, cached);
    // Most recently used last; as many actors as sessions are kept.
    actorTables.delete(id);
    actorTables.set(id, current);
    if (actorTables.size > config.maxSessions) actorTables.delete(actorTables.keys().next().value!);
    return current;
  }

  return {
    maxIterations: config.maxIterations,
    // The loop's own deadline falls just after this injector's, so the server's cancel and its readable error come first.
    callTimeoutMs: config.callTimeoutMs + LOOP_DEADLINE_GRACE_MS,

    attach(ctx: ToolInjectorAttachContext): void {
      if (!config.logger) logger = ctx.logger;
      traceHeaders = ctx.traceHeaders;
      secrets = ctx.secrets;
      // The configured credentials too: a server's error or a tool result quoting one is redacted wherever the bridge redacts.
      secrets?.learn('mcp:configured', connections.flatMap((c) => (c.spec.kind === 'http' ? credentialHeaderSecrets(c.spec.headers) : [])));
      const stopReconnecting = (): void => {
        connections.forEach((c) => c.stopReconnecting());
        sessions?.stopOpening();
      };
      if (ctx.closing?.aborted) stopReconnecting();
      else ctx.closing?.addEventListener('abort', stopReconnecting, { once: true });
    },

    async listTools(ctx?: ToolContext): Promise<InjectedTool[]> {
      if (config.injectWhen === 'client-has-tools' && ctx?.clientHasTools === false) return NO_TOOLS;
      const current = await tableFor(ctx);
      const allowed = policy.perRequest;
      if (!allowed || !ctx) return current.tools;
      return toolsWhere(current, (ref) => allowed(ctx, { server: ref.serverName, name: ref.toolName }));
    },

    async callTool(call: ToolCall, ctx: ToolContext): Promise<ToolCallResult> {
      if (ctx.signal.aborted) throw toolAbortError(ctx.signal);
      // A host may call a tool it knows of without listing first; the first connection attempts bound the wait.
      const current = await tableFor(ctx);
      if (ctx.signal.aborted) throw toolAbortError(ctx.signal);
      const name = typeof call.name === 'string' ? call.name : '';
      const ref = current.byName.get(name);
      if (!ref || (policy.perRequest && !policy.perRequest(ctx, { server: ref.serverName, name: ref.toolName }))) {
        return toolError(`Tool "${shortText(name)}" is not available.`);
      }
      const args = toolArguments(call.arguments);
      if (typeof args === 'string') return toolError(`Tool ${name} was not called: ${args}`);
      return ref.connection.call(ref.toolName, args, ctx.signal, name);
    },

    status(): McpToolInjectorStatus {
      let shared = 0;
      const servers = config.servers.map((spec) => (isPerActor(spec)
        ? sessions!.status(spec, closed)
        : connections[shared++].status()));
      return { servers };
    },

    async close(): Promise<void> {
      closed = true;
      await Promise.all([...connections.map((c) => c.close()), sessions?.close()]);
      actorTables.clear();
      generation++;
    },
  };
}
