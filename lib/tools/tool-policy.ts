/** allow/deny of mcpToolInjector: RegExps applied once per tool list, functions of the request applied per request and per call. */
import type { Logger } from 'winston';
import { errorMessage } from '../observability/logger';
import type { McpToolPolicy, McpToolRef } from './mcp-options';
import { isToolAllowed } from './tool-names';
import type { ToolContext } from './types';

/** `allow` and `deny` split by when they can be decided. */
export interface ToolPolicy {
  /** Whether the RegExp parts let a raw tool name through (a function part lets every name through here). */
  listed(toolName: string): boolean;
  /** The function parts, asked per request; undefined when there are none (then nothing is asked per request). */
  readonly perRequest: ((ctx: ToolContext, tool: McpToolRef) => boolean) | undefined;
}

/** Splits `allow`/`deny`; deny wins; a function that throws denies (logged, with the tool, not the actor's data). */
export function toolPolicy(allow: RegExp | McpToolPolicy | undefined, deny: RegExp | McpToolPolicy | undefined, logger: () => Logger): ToolPolicy {
  const allowRe = allow instanceof RegExp ? allow : undefined;
  const denyRe = deny instanceof RegExp ? deny : undefined;
  const allowFn = typeof allow === 'function' ? allow : undefined;
  const denyFn = typeof deny === 'function' ? deny : undefined;
  const ask = (which: string, fn: McpToolPolicy, ctx: ToolContext, tool: McpToolRef): boolean | undefined => {
    try {
      return fn(ctx, tool) === true;
    } catch (err) {
      logger().warn(`MCP tool policy \`${which}\` threw; the tool is not offered`, { server: tool.server, tool: tool.name, error: errorMessage(err) });
      return undefined;
    }
  };
  const perRequest = allowFn || denyFn
    ? (ctx: ToolContext, tool: McpToolRef): boolean => {
      if (denyFn && ask('deny', denyFn, ctx, tool) !== false) return false;
      return !allowFn || ask('allow', allowFn, ctx, tool) === true;
    }
    : undefined;
  return { listed: (name) => isToolAllowed(name, allowRe, denyRe), perRequest };
}
