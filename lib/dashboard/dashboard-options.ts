/** createDashboard options: the public type, defaults, and validation into the internal config. */
import type { Logger } from 'winston';
import { createDefaultLogger } from '../observability/logger';
import { OptionsError, isPlainObject, rejectUnknownKeys } from '../options-check';
import type { UsageQuery } from '../recorder/usage-query';
import type { Bridge } from '../bridge';
import type { McpToolInjectorStatus } from '../tools/mcp-status';

/** What the MCP panel reads: `mcpToolInjector()` or anything with its `status()`. */

export interface McpStatusSource {
  status(): McpToolInjectorStatus | Promise<McpToolInjectorStatus>;
}

/**
 * What the dashboard reads of a bridge: its key pools, its `stats()` for the circuit breakers, and `usageOf()` for
 * each actor's standing on the rate limits, when it has them.
 */
export type DashboardBridge = Pick<Bridge, 'keyPoolStatus'> & Partial<Pick<Bridge, 'stats' | 'usageOf'>>;

/** Options of {@link createDashboard}. */
export interface DashboardOptions {
  /** Where the usage comes from: a built-in recorder (`MemoryRecorder`, `SqliteRecorder`, `PostgresRecorder`) or any {@link UsageQuery}. Required. */
  query: UsageQuery;
  /**
   * The bridge whose key pools (`GET /api/keys`), circuit breakers (`GET /api/breakers`, when its `circuitBreaker`
   * is on) and rate limits (`GET /api/limits?actor=<id>`) the page shows. Defaults to none: no key-pool panel,
   * `/api/keys`, `/api/breakers` and `/api/limits` answer `404`.
   */
  bridge?: DashboardBridge;
  /**
   * The MCP tool injector whose servers the health panel shows (`GET /api/mcp`): state, tool counts, last error and
   * last listing of each. Defaults to none: no MCP panel, `/api/mcp` answers `404`.
   */
  mcp?: McpStatusSource;
  /** Heading and `<title>` of the page (shown as text, never as HTML). Defaults to `'AI usage'`. */
  title?: string;
  /**
   * The absolute path the router is mounted at (e.g. `'/admin/ai'`), used for the page's asset URLs. Defaults to
   * none: the page uses relative URLs, and a request for the page without a trailing slash is redirected to it.
   */
  basePath?: string;
  /** A winston logger for store failures. Defaults to a console logger at `warn` (JSON lines on stderr). */
  logger?: Logger;
}

export const DASHBOARD_DEFAULTS = {
  title: 'AI usage',
};

export interface DashboardConfig {
  query: UsageQuery;
  bridge: DashboardBridge | undefined;
  mcp: McpStatusSource | undefined;
  title: string;
  /** `''` or an absolute path without a trailing slash. */
  basePath: string | undefined;
  logger: Logger;
}

const OWNER = 'createDashboard';
const KNOWN = ['query', 'bridge', 'mcp', 'title', 'basePath', 'logger'] as const;
const QUERY_METHODS = ['totals', 'groupBy', 'timeSeries', 'topTools', 'recentInterceptions', 'interception'];
// Only characters that need no escaping in HTML attributes or URLs, so the page can be built once as text.
const BASE_PATH = /^(\/[A-Za-z0-9._~-]+)*\/?$/;
const MAX_TITLE = 200;

// A bridge is an Express Router, which is a function: accept objects and functions alike.
function hasMethods(v: unknown, names: readonly string[]): boolean {
  return !!v && (typeof v === 'object' || typeof v === 'function') && names.every((n) => typeof (v as Record<string, unknown>)[n] === 'function');
}

/** Validates `options` once, at creation, throwing an error that names the bad option. */
export function normalizeDashboardOptions(options: DashboardOptions): DashboardConfig {
  if (!isPlainObject(options)) throw new OptionsError(OWNER, 'options', 'must be an object ({ query, bridge? }).');
  rejectUnknownKeys(OWNER, options as unknown as Record<string, unknown>, KNOWN);
  const { query, bridge, mcp, title, basePath, logger } = options;
  if (!hasMethods(query, QUERY_METHODS)) {
    throw new OptionsError(OWNER, 'query', `must implement UsageQuery (${QUERY_METHODS.join(', ')}), e.g. a MemoryRecorder or SqliteRecorder.`);
  }
  if (bridge !== undefined && !hasMethods(bridge, ['keyPoolStatus'])) throw new OptionsError(OWNER, 'bridge', 'must be a bridge made by createBridge().');
  if (mcp !== undefined && !hasMethods(mcp, ['status'])) throw new OptionsError(OWNER, 'mcp', 'must be an MCP tool injector made by mcpToolInjector() (anything with status()).');
  if (title !== undefined && (typeof title !== 'string' || title.trim() === '' || title.length > MAX_TITLE)) {
    throw new OptionsError(OWNER, 'title', `must be a non-empty string of at most ${MAX_TITLE} characters.`);
  }
  if (basePath !== undefined && (typeof basePath !== 'string' || !BASE_PATH.test(basePath) || /(^|\/)\.\.?(\/|$)/.test(basePath))) {
    throw new OptionsError(OWNER, 'basePath', "must be an absolute URL path such as '/admin/ai' (letters, digits, '.', '_', '~', '-').");
  }
  if (logger !== undefined && !hasMethods(logger, ['error', 'warn', 'info', 'debug'])) throw new OptionsError(OWNER, 'logger', 'must be a winston Logger.');
  return {
    query,
    bridge,
    mcp,
    title: title ?? DASHBOARD_DEFAULTS.title,
    basePath: basePath === undefined ? undefined : basePath.replace(/\/$/, ''),
    logger: logger ?? createDefaultLogger(),
  };
}
