/** Which injected tools one request offers: at most `maxInjectedTools` in a stable order, never a name the client's own tools use. */
import type { Logger } from 'winston';
import { FAILURE_LOG_INTERVAL_MS, LogThrottle } from '../../observability/log-throttle';
import type { InjectedTool } from '../../tools/types';

/** The most tools OpenAI accepts in one request (client and injected together); injected ones give way to the client's. */
export const MAX_TOOLS_PER_REQUEST = 128;

/**
 * The most the injected tools' definitions (name, description, schema, as JSON) add to one request. A tool server
 * decides their size: 64 tools of 1 MB each would be sent with every request, past what the upstream accepts.
 */
export const MAX_INJECTED_TOOL_BYTES = 2 * 1024 * 1024;

/** Distinct capped tool sets remembered as logged; past it the memory starts over (a line may then repeat). */
const LOGGED_SETS_MAX = 256;
/** Names of left-out tools written in that line (10,000 MCP tools must not make a 300 KB log line). */
const LOGGED_NAMES_MAX = 20;

function byName(a: InjectedTool, b: InjectedTool): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The tools, in order, whose definitions fit in MAX_INJECTED_TOOL_BYTES together (one too large is skipped, not the rest). */
function withinBytes(tools: readonly InjectedTool[]): readonly InjectedTool[] {
  let room = MAX_INJECTED_TOOL_BYTES;
  let out: InjectedTool[] | undefined;
  tools.forEach((tool, i) => {
    const size = definitionBytes(tool);
    if (size <= room) {
      room -= size;
      out?.push(tool);
    } else {
      out ??= tools.slice(0, i);
    }
  });
  return out ?? tools;
}

/** The size a tool's definition adds to a request body; a definition that cannot be written as JSON takes all the room. */
function definitionBytes(tool: InjectedTool): number {
  try {
    return JSON.stringify(tool)?.length ?? 0;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

export class OfferedTools {
  /** Keyed by the injector's array: `mcpToolInjector` hands out one frozen array until its tools change. */
  private readonly capped = new WeakMap<readonly InjectedTool[], readonly InjectedTool[]>();
  private readonly loggedSets = new Set<string>();
  private readonly throttle = new LogThrottle(FAILURE_LOG_INTERVAL_MS);

  constructor(private readonly maxInjectedTools: number, private readonly logger: Logger) {}

  /** The tools to inject into a request whose client sent tools named `clientToolNames`; a collision is logged with `request`'s logger. */
  select(listed: readonly InjectedTool[], clientToolNames: readonly string[], request: { readonly providerName: string; readonly logger?: Logger }): readonly InjectedTool[] {
    let tools = this.capped.get(listed);
    if (!tools) {
      tools = this.cap(listed);
      this.capped.set(listed, tools);
    }
    if (clientToolNames.length === 0) return tools;
    const client = new Set(clientToolNames);
    const colliding = tools.filter((t) => client.has(t.name));
    if (colliding.length > 0) {
      // The client's tool wins: two tools of one name are refused upstream, and the model's call is the client's to run.
      tools = tools.filter((t) => !client.has(t.name));
      const provider = request.providerName;
      const suppressed = this.throttle.allow(`${provider}:collision`);
      if (suppressed !== false) {
        (request.logger ?? this.logger).warn('a client tool has the name of an injected tool; the injected one is left out of that request', { provider, tools: colliding.map((t) => t.name), suppressed });
      }
    }
    const room = Math.max(0, MAX_TOOLS_PER_REQUEST - clientToolNames.length);
    return tools.length > room ? tools.slice(0, room) : tools;
  }

  /**
   * One tool per name (the first listed). Within the cap the injector's order is kept; past it the first
   * `maxInjectedTools` by shown name are kept, so the choice does not depend on the order servers answered in.
   * What is left out is logged once per set.
   */
  private cap(listed: readonly InjectedTool[]): readonly InjectedTool[] {
    const seen = new Set<string>();
    const firsts = listed.filter((t) => !seen.has(t.name) && !!seen.add(t.name));
    let kept: readonly InjectedTool[] = firsts;
    if (firsts.length > this.maxInjectedTools) {
      const unique = firsts.sort(byName);
      this.logLeftOut(unique.length, unique.slice(this.maxInjectedTools), 'maxInjectedTools');
      kept = unique.slice(0, this.maxInjectedTools);
    }
    const fitting = withinBytes(kept);
    if (fitting.length < kept.length) {
      this.logLeftOut(kept.length, kept.filter((t) => !fitting.includes(t)), `${MAX_INJECTED_TOOL_BYTES} bytes of definitions`);
      kept = fitting;
    }
    return kept.length === listed.length ? listed : kept;
  }

  /** One line per distinct set left out, naming the first few tools. */
  private logLeftOut(listedCount: number, left: readonly InjectedTool[], why: string): void {
    const key = `${why}:${listedCount}:${left[0].name}:${left[left.length - 1].name}`;
    if (this.loggedSets.has(key)) return;
    if (this.loggedSets.size >= LOGGED_SETS_MAX) this.loggedSets.clear();
    this.loggedSets.add(key);
    const named = left.slice(0, LOGGED_NAMES_MAX).map((t) => t.name).join(', ');
    const more = left.length > LOGGED_NAMES_MAX ? ` and ${left.length - LOGGED_NAMES_MAX} more` : '';
    this.logger.warn(`aibridge: ${listedCount} injected tools listed, ${listedCount - left.length} offered (${why}); left out: ${named}${more}`);
  }
}
