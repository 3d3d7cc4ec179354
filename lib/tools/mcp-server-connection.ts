/** One configured MCP server: connects (with transport fallback), retries with backoff, keeps its tool list, runs calls. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError, ToolListChangedNotificationSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'winston';
import { errorMessage } from '../observability/logger';
import { listAllTools, openClient } from './mcp-transport';
import type { McpServerSpec } from './mcp-options';
import { redactedErrorMessage, specSecrets, type McpServerState, type McpServerStatus } from './mcp-status';
import { toolAbortError, toolError } from './tool-results';
import type { ToolCallResult, ToolContentBlock, TraceHeaderWriter } from './types';

/** What a connection needs from the injector that owns it. */
export interface ConnectionDeps {
  logger(): Logger;
  /** Writes the trace context into HTTP requests, once the bridge attached one (tracing on). */
  traceHeaders?: () => TraceHeaderWriter | undefined;
  connectTimeoutMs: number;
  callTimeoutMs: number;
  listTtlMs: number;
  retryDelayMs: { initial: number; max: number };
  /** False for a session opened on demand (one actor's): a failure leaves it `failed` for its owner to replace, not retried. Defaults to true. */
  reconnect?: boolean;
  /** Said in every log line of this connection besides `server` (e.g. the actor of a per-actor session). Defaults to none. */
  logFields?: Record<string, string>;
  /** How many of a server's tools `allow`/`deny` let through, for the log line that reports a connection. */
  allowedCount(tools: readonly Tool[]): number;
  /** Called whenever the tools this server offers (or whether it offers any) changed. */
  onToolsChanged(): void;
}

/** A failure of the connection itself (not an error answer of the server): the client is dropped and reconnected. */
function isConnectionFailure(err: unknown): boolean {
  return !(err instanceof McpError) || err.code === ErrorCode.ConnectionClosed;
}

export class McpServerConnection {
  private client: Client | undefined;
  /** The client of the attempt in progress, so that `close()` can stop it (and its child process) too. */
  private connecting: Client | undefined;
  private tools: readonly Tool[] = [];
  private listedAt = 0;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay: number;
  private closed = false;
  /** Cleared once the host began shutting down: a server that goes away then is not started again. */
  private reconnecting = true;
  private state: McpServerState = 'connecting';
  private lastError: { message: string; at: Date } | undefined;
  private lastListedAt: Date | undefined;
  /** What an error shown in the status must not contain; found once, from the configuration. */
  private readonly secrets: readonly string[];

  /** What every log line of this connection says about it. */
  private readonly logFields: Record<string, string>;

  constructor(readonly spec: McpServerSpec, private readonly deps: ConnectionDeps) {
    this.retryDelay = deps.retryDelayMs.initial;
    this.secrets = specSecrets(spec);
    this.logFields = { server: spec.name, ...deps.logFields };
  }

  /** This server's state for `status()`: no secrets, counts of the tools in hand. */
  status(): McpServerStatus {
    const out: McpServerStatus = {
      name: this.spec.name,
      url: this.spec.label,
      state: this.state,
      toolsListed: this.tools.length,
      toolsAllowed: this.deps.allowedCount(this.tools),
    };
    if (this.lastError) out.lastError = { ...this.lastError };
    if (this.lastListedAt) out.lastListedAt = this.lastListedAt;
    return out;
  }

  private failed(err: unknown): void {
    this.lastError = { message: redactedErrorMessage(err, this.secrets), at: new Date() };
  }

  private listed(tools: readonly Tool[]): void {
    this.tools = tools;
    this.lastListedAt = new Date();
  }

  /** Makes the first connection attempt; resolves (never rejects) when it has succeeded or failed. */
  start(): Promise<void> {
    return this.connect();
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** When the connection last failed, while it stands failed (else undefined). */
  get failedAt(): number | undefined {
    return this.state === 'failed' ? this.lastError?.at.getTime() : undefined;
  }

  /** The tools listed last (none while disconnected). Starts a refresh in the background once the list is older than the TTL. */
  currentTools(): readonly Tool[] {
    if (!this.client) return [];
    if (Date.now() - this.listedAt >= this.deps.listTtlMs) void this.refresh();
    return this.tools;
  }

  /**
   * Calls `toolName`. Resolves with the server's result, or with a tool error (`isError: true`) when the call timed out
   * or failed; rejects with an `AbortError` only when `signal` aborted.
   */
  async call(toolName: string, args: Record<string, unknown>, signal: AbortSignal, shownName: string): Promise<ToolCallResult> {
    const client = this.client;
    if (!client) return toolError(`Tool ${shownName} is unavailable: its MCP server "${this.spec.name}" is not connected.`);
    try {
      const timeout = this.deps.callTimeoutMs;
      const result = await client.callTool({ name: toolName, arguments: args }, undefined, { signal, timeout, maxTotalTimeout: timeout });
      const out: ToolCallResult = { content: result.content as ToolContentBlock[] };
      if (result.isError) out.isError = true;
      if (result.structuredContent) out.structuredContent = result.structuredContent as Record<string, unknown>;
      return out;
    } catch (err) {
      if (signal.aborted) throw toolAbortError(signal);
      if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) {
        return toolError(`Tool ${shownName} timed out after ${this.deps.callTimeoutMs} ms.`);
      }
      if (isConnectionFailure(err)) this.lost(client, err);
      // The model reads this text: no header, URL or environment secret of the server's configuration goes with it.
      return toolError(`Tool ${shownName} failed: ${redactedErrorMessage(err, this.secrets)}`);
    }
  }

  /** Keeps serving the current client, but never connects again (the host is shutting down). */
  stopReconnecting(): void {
    this.reconnecting = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /**
   * Closes the client (ending a stdio child process) and stops retrying. `endSession`: a Streamable HTTP session is
   * ended on the server too (`DELETE`), for sessions closed while the server stays in use.
   */
  async close(endSession = false): Promise<void> {
    this.closed = true;
    this.state = 'closed';
    clearTimeout(this.retryTimer);
    const clients = [this.client, this.connecting].filter((c): c is Client => c !== undefined);
    this.client = undefined;
    this.connecting = undefined;
    this.tools = [];
    await Promise.all(clients.map(async (c) => {
      const transport = c.transport;
      if (endSession && transport instanceof StreamableHTTPClientTransport && transport.sessionId) await transport.terminateSession().catch(() => undefined);
      await c.close().catch(() => undefined);
    }));
  }

  private async connect(): Promise<void> {
    if (this.closed || !this.reconnecting) return;
    const { spec, deps } = this;
    this.state = 'connecting';
    try {
      const client = await openClient(spec, deps.connectTimeoutMs, deps.logger, deps.traceHeaders, (c) => {
        this.connecting = c;
        // Registered before `initialize`, so a change announced right after it is not missed.
        c.setNotificationHandler(ToolListChangedNotificationSchema, () => {
          if (this.client !== c) return;
          this.listedAt = 0;
          void this.refresh();
        });
      });
      this.connecting = undefined;
      if (this.closed) {
        await client.close().catch(() => undefined);
        return;
      }
      client.onclose = () => this.lost(client, new Error('connection closed'));
      client.onerror = (err) => deps.logger().debug('MCP server transport error', { ...this.logFields, error: errorMessage(err) });
      this.client = client;
      this.listed(await listAllTools(client, deps.connectTimeoutMs, spec.name, deps.logger));
      this.listedAt = Date.now();
      this.state = 'ready';
      this.retryDelay = deps.retryDelayMs.initial;
      deps.logger().info('MCP server connected', { ...this.logFields, url: spec.label, tools: this.tools.length, offered: deps.allowedCount(this.tools) });
      deps.onToolsChanged();
    } catch (err) {
      const client = this.client ?? this.connecting;
      this.connecting = undefined;
      if (client) this.lost(client, err);
      else this.scheduleRetry(err);
    }
  }

  /** Drops `client` if it is still ours, and reconnects later. */
  private lost(client: Client, err: unknown): void {
    if (this.client === client) {
      this.state = 'failed';
      this.failed(err);
      this.client = undefined;
      this.tools = [];
      this.deps.onToolsChanged();
    }
    client.onclose = undefined;
    void client.close().catch(() => undefined);
    if (this.retryTimer === undefined) this.scheduleRetry(err);
  }

  private scheduleRetry(err: unknown): void {
    if (this.closed) return;
    this.state = 'failed';
    this.failed(err);
    if (this.deps.reconnect === false) {
      this.deps.logger().warn('MCP session unavailable', { ...this.logFields, url: this.spec.label, error: this.lastError!.message });
      return;
    }
    if (!this.reconnecting) {
      this.deps.logger().debug('MCP server went away during shutdown; not reconnecting', { ...this.logFields, error: errorMessage(err) });
      return;
    }
    const delay = this.retryDelay;
    this.retryDelay = Math.min(delay * 2, this.deps.retryDelayMs.max);
    this.deps.logger().warn('MCP server unavailable; retrying', { ...this.logFields, url: this.spec.label, retryInMs: delay, error: errorMessage(err) });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, delay);
    // A host that never calls close() must still be able to exit.
    this.retryTimer.unref();
  }

  /** Lists the tools again; one listing at a time, and one more if a change was announced meanwhile. */
  private refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    const client = this.client;
    if (!client) return Promise.resolve();
    this.listedAt = Date.now();
    this.refreshing = listAllTools(client, this.deps.connectTimeoutMs, this.spec.name, this.deps.logger)
      .then((tools) => {
        if (this.client !== client) return;
        this.listed(tools);
        this.deps.onToolsChanged();
      }, (err) => {
        this.deps.logger().warn('MCP tool list refresh failed; keeping the previous list', { ...this.logFields, error: errorMessage(err) });
        if (this.client === client) this.failed(err);
        if (isConnectionFailure(err)) this.lost(client, err);
      })
      .finally(() => {
        this.refreshing = undefined;
        if (this.refreshAgain) {
          this.refreshAgain = false;
          void this.refresh();
        }
      });
    return this.refreshing;
  }
}
