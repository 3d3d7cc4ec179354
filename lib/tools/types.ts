/** TEMPORARY stub of the ToolInjector contract (replaced by the full implementation on merge). */
import type { Actor } from '../intercept/actor';

export type JsonSchema = { [k: string]: unknown };

export interface ToolContext {
  actor: Actor;
  providerName: string;
  model: string;
  signal: AbortSignal;
}

export interface InjectedTool {
  name: string;
  description?: string;
  inputSchema: JsonSchema;
  serverName?: string;
  serverUrl?: string;
}

export interface ToolCallResult {
  content: Array<{ type: string; [k: string]: unknown }>;
  isError?: boolean;
  structuredContent?: unknown;
}

export interface ToolInjector {
  listTools(ctx: ToolContext): InjectedTool[] | Promise<InjectedTool[]>;
  callTool(call: { name: string; arguments: unknown }, ctx: ToolContext): Promise<ToolCallResult>;
  close?(): Promise<void>;
  readonly maxIterations?: number;
  readonly callTimeoutMs?: number;
}
