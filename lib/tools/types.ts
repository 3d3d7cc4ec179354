/** The tool injection hook: what the bridge asks of a tool source (MCP or the host's own), and what it gets back. */
import type { Logger } from 'winston';
import type { Actor } from '../http/actor-types';

/** A JSON value, as parsed from JSON text. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * A JSON Schema object (draft 2020-12 or earlier) describing a tool's arguments. Only the common keywords are
 * typed; any other keyword is kept as it came.
 */
export interface JSONSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JSONSchema>;
  required?: string[];
  items?: JSONSchema | JSONSchema[];
  enum?: JsonValue[];
  additionalProperties?: boolean | JSONSchema;
  [keyword: string]: unknown;
}

/** What the bridge knows about the request a tool is listed or called for. */
export interface ToolContext {
  /** The host's user behind the request, as returned by `actor(req)`. */
  actor: Actor;
  /** The provider the request goes to (its route prefix, e.g. `openai`). */
  providerName: string;
  /** The model the client asked for. */
  model: string;
  /** Aborted when the client goes away; a running tool call should stop then. */
  signal: AbortSignal;
  /** Whether the request's body carries tools of its own (a coding agent's title or summary request carries none). Absent: unknown. */
  clientHasTools?: boolean;
}

/** A tool offered to the model on top of the client's own tools. */
export interface InjectedTool {
  /** The name shown to the model (for MCP: `bmcp_<server>_<tool>`); `callTool` receives it back. */
  name: string;
  description?: string;
  /** The arguments' schema, handed to the model as the tool's parameters. */
  inputSchema: JSONSchema;
  /** Where the tool comes from, for the records (e.g. the MCP server's configured name). */
  serverName?: string;
  /** Where the tool comes from, for the records (an MCP server's URL without credentials or query, or `stdio:<command>`). */
  serverUrl?: string;
  /** The tool's own name on its server, when the shown name differs. */
  serverToolName?: string;
}

/** One content block of a tool result (MCP shapes: `text`, `image`, `audio`, `resource`, `resource_link`, …). */
export interface ToolContentBlock {
  type: string;
  [key: string]: unknown;
}

/** What a tool call produced. `isError: true` means the tool failed; `content` then says why, for the model to read. */
export interface ToolCallResult {
  content: ToolContentBlock[];
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
}

/** A call of an injected tool, as the model asked for it. */
export interface ToolCall {
  /** The shown name, as listed by `listTools`. */
  name: string;
  /** The model's arguments: an object, or the JSON text of one. */
  arguments: unknown;
}

/** What the bridge hands an injector once, when it is given to `createBridge({ tools })`. */
export interface ToolInjectorAttachContext {
  /** The bridge's logger. */
  logger: Logger;
  /**
   * Aborted when `bridge.close()` begins. Requests in flight may still call tools until `close()` is called, but
   * nothing should reconnect from then on: on Ctrl-C a child process dies with the host. Given by `createBridge`.
   */
  closing?: AbortSignal;
  /**
   * Writes the active trace context into `headers`, for requests to HTTP tool servers (a propagator the host
   * registered decides what, if anything, is written). Given by `createBridge` only when `tracing` is on.
   */
  traceHeaders?: TraceHeaderWriter;
  /**
   * Teaches the bridge's redaction rule secrets the injector obtained at runtime (e.g. a user's token for a tool
   * server), before they are used: they are then never written to logs, records, dumps or answers. `forget` drops
   * those of an `id` once they are no longer used. Given by `createBridge`.
   */
  secrets?: { learn(id: string, secrets: readonly string[]): void; forget(id: string): void };
}

/** Writes the active trace context (`traceparent`, …) into a request's headers. */
export type TraceHeaderWriter = (headers: Record<string, string>) => void;

/**
 * A source of tools injected into model requests. `mcpToolInjector()` is the built-in one; a host may write its
 * own, e.g. to offer different tools per actor.
 */
export interface ToolInjector {
  /** The tools to offer on this request. Called once per request that can take tools; keep it cheap. */
  listTools(ctx: ToolContext): InjectedTool[] | Promise<InjectedTool[]>;
  /**
   * Runs one tool call. A tool failure should resolve with `isError: true` and a readable text, so that the model
   * can react to it; a rejection (or no answer within `callTimeoutMs`) is given to the model as an error text too.
   * When `ctx.signal` aborts (the client left, or the deadline passed), stop and reject.
   */
  callTool(call: ToolCall, ctx: ToolContext): Promise<ToolCallResult>;
  /** Model calls of one request's inner loop that may carry the tools; one last call without them follows. Defaults to 10 when absent. */
  readonly maxIterations?: number;
  /** Deadline of one tool call, enforced by the loop whatever the injector does. Defaults to 60,000 ms when absent. */
  readonly callTimeoutMs?: number;
  /** Called once by `createBridge` with the bridge's logger. Optional. */
  attach?(ctx: ToolInjectorAttachContext): void;
  /** Releases connections and child processes; called by `bridge.close()`. Optional. */
  close?(): Promise<void>;
}
