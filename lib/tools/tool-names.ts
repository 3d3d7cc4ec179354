/** Names of injected MCP tools as the model sees them: sanitised, bounded, unique, in a stable order; allow/deny. */
import { createHash } from 'node:crypto';

export const TOOL_NAME_PREFIX = 'bmcp_';
/** The longest function name OpenAI and Anthropic accept. */
export const MAX_TOOL_NAME_LENGTH = 64;
const HASH_LENGTH = 8;

/** One tool of one server, before it gets its shown name. */
export interface ServerToolRef {
  serverName: string;
  toolName: string;
}

/** A tool with its shown name. */
export interface NamedTool<T extends ServerToolRef> {
  name: string;
  tool: T;
}

/** Replaces every character providers refuse in a function name (one per code point) with `_`. */
export function sanitizeNamePart(part: string): string {
  return part.replace(/[^a-zA-Z0-9_-]/gu, '_');
}

/** Eight hex digits that depend only on the raw pair, so a name does not change with the order tools arrive in. */
function shortHash(serverName: string, toolName: string): string {
  return createHash('sha256').update(`${serverName}\u0000${toolName}`).digest('hex').slice(0, HASH_LENGTH);
}

function plainName(ref: ServerToolRef): string {
  return `${TOOL_NAME_PREFIX}${sanitizeNamePart(ref.serverName)}_${sanitizeNamePart(ref.toolName)}`;
}

function hashedName(plain: string, ref: ServerToolRef): string {
  return `${plain.slice(0, MAX_TOOL_NAME_LENGTH - HASH_LENGTH - 1)}_${shortHash(ref.serverName, ref.toolName)}`;
}

function byRawName(a: ServerToolRef, b: ServerToolRef): number {
  if (a.serverName !== b.serverName) return a.serverName < b.serverName ? -1 : 1;
  if (a.toolName !== b.toolName) return a.toolName < b.toolName ? -1 : 1;
  return 0;
}

/**
 * Gives every tool its shown name `bmcp_<server>_<tool>`. A name that would be longer than 64 characters, or that
 * two tools would share after sanitising, ends in `_<hash>` instead (cut to fit), for every tool of such a group,
 * so no tool silently takes another's name. A pair listed twice keeps its first entry. The result is sorted by
 * shown name (code-unit order, independent of locale and of the order servers answered in), so the tool list — and
 * the model provider's prompt cache — stays the same while the tools do.
 */
export function assignToolNames<T extends ServerToolRef>(tools: readonly T[]): { named: NamedTool<T>[]; dropped: T[] } {
  const plain = tools.map(plainName);
  const counts = new Map<string, number>();
  for (const name of plain) counts.set(name, (counts.get(name) ?? 0) + 1);
  const candidates = tools.map((tool, i) => {
    const base = plain[i];
    const name = base.length > MAX_TOOL_NAME_LENGTH || counts.get(base)! > 1 ? hashedName(base, tool) : base;
    return { name, tool };
  });
  candidates.sort((a, b) => byRawName(a.tool, b.tool));
  const taken = new Set<string>();
  const named: NamedTool<T>[] = [];
  const dropped: T[] = [];
  for (const candidate of candidates) {
    if (taken.has(candidate.name)) {
      dropped.push(candidate.tool);
      continue;
    }
    taken.add(candidate.name);
    named.push(candidate);
  }
  named.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { named, dropped };
}

/** Whether a raw tool name passes the filters: `deny` wins over `allow`; no `allow` means every tool not denied. */
export function isToolAllowed(toolName: string, allow: RegExp | undefined, deny: RegExp | undefined): boolean {
  if (deny && deny.test(toolName)) return false;
  return allow === undefined || allow.test(toolName);
}

/** A copy of `re` without the `g`/`y` flags, whose `test()` would otherwise carry `lastIndex` from one call to the next. */
export function statelessRegExp(re: RegExp): RegExp {
  return re.global || re.sticky ? new RegExp(re.source, re.flags.replace(/[gy]/g, '')) : re;
}
