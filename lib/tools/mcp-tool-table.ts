/** The table of injected MCP tools: shown names assigned over a set of connections, and each name's way back to its server. */
import type { Logger } from 'winston';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerConnection } from './mcp-server-connection';
import { assignToolNames } from './tool-names';
import type { InjectedTool, JSONSchema } from './types';

/** One offered tool: where it lives and what it is called there. */
export interface ToolRef {
  serverName: string;
  toolName: string;
  connection: McpServerConnection;
  tool: Tool;
}

/** Tools as shown, frozen, with the generation of the lists they were built from. */
export interface ToolTable {
  generation: number;
  connections: readonly McpServerConnection[];
  tools: InjectedTool[];
  byName: Map<string, ToolRef>;
}

export const EMPTY_TABLE: ToolTable = { generation: -1, connections: [], tools: [], byName: new Map() };

/** Whether `table` was built from exactly `connections` at `generation`. */
export function isCurrent(table: ToolTable | undefined, generation: number, connections: readonly McpServerConnection[]): table is ToolTable {
  if (!table || table.generation !== generation || table.connections.length !== connections.length) return false;
  return connections.every((c, i) => table.connections[i] === c);
}

/** Builds the table of `connections`' current tools that `listed` lets through, named once for all of them. */
export function buildToolTable(
  connections: readonly McpServerConnection[], generation: number, listed: (toolName: string) => boolean, logger: () => Logger,
): ToolTable {
  const refs: ToolRef[] = [];
  for (const connection of connections) {
    for (const tool of connection.currentTools()) {
      if (listed(tool.name)) refs.push({ serverName: connection.spec.name, toolName: tool.name, connection, tool });
    }
  }
  const { named, dropped } = assignToolNames(refs);
  for (const ref of dropped) logger().warn('MCP tool left out: its shown name is taken', { server: ref.serverName, tool: ref.toolName });
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
  return { generation, connections, tools: Object.freeze(tools) as InjectedTool[], byName };
}

/** Distinct policy outcomes kept per table; past it they are built again (a policy with so many outcomes is unusual). */
const MAX_SUBSETS_PER_TABLE = 64;
const subsets = new WeakMap<ToolTable, Map<string, InjectedTool[]>>();

/**
 * The tools of `table` that `keep` lets through: the table's own array when it keeps all, else one shared frozen
 * array per distinct outcome, so that what the bridge derives from an array once (the cap) is not redone per request.
 */
export function toolsWhere(table: ToolTable, keep: (ref: ToolRef) => boolean): InjectedTool[] {
  let key = '';
  for (const tool of table.tools) key += keep(table.byName.get(tool.name)!) ? '1' : '0';
  if (!key.includes('0')) return table.tools;
  let byKey = subsets.get(table);
  if (!byKey) subsets.set(table, (byKey = new Map()));
  let out = byKey.get(key);
  if (!out) {
    if (byKey.size >= MAX_SUBSETS_PER_TABLE) byKey.clear();
    out = Object.freeze(table.tools.filter((_, i) => key[i] === '1')) as InjectedTool[];
    byKey.set(key, out);
  }
  return out;
}
