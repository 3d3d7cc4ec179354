/** `mcpToolInjector()` for the public API: loads the MCP SDK (and zod) on first use, not when the package is imported. */
import type { McpToolInjector } from './mcp-tool-injector';
import type { McpToolInjectorOptions } from './mcp-options';

/**
 * The built-in {@link ToolInjector} over the official MCP SDK: the tools of the configured MCP servers (Streamable
 * HTTP with a legacy SSE fallback, or stdio), shown to the model as `bmcp_<server>_<tool>`. See docs/tools-and-the-loop.md
 * for every option and its default.
 */
export function mcpToolInjector(options: McpToolInjectorOptions): McpToolInjector {
  // A host that never injects tools does not pay for the SDK (~40 MB and ~0.3 s at import).
  const { mcpToolInjector: create } = require('./mcp-tool-injector') as typeof import('./mcp-tool-injector');
  return create(options);
}
