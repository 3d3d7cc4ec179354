/** mcpToolInjector options: the public types, one literal defaults object, validation into the internal config. */
import { LOOP_DEFAULTS } from './loop-defaults';
import type { Logger } from 'winston';
import { z } from 'zod';
import { OptionsError } from '../options-check';
import { statelessRegExp } from './tool-names';
import type { ToolContext } from './types';

const OWNER = 'mcpToolInjector';

/** An MCP server reached over HTTP. */
export interface McpHttpServerConfig {
  /** Names the server in shown tool names (`bmcp_<name>_<tool>`), logs and records. Required; unique. */
  name: string;
  /** The server's MCP endpoint, `http:` or `https:`. Required. */
  url: string;
  /**
   * Headers sent with every request to the server (e.g. `Authorization`). Never logged. Either an object, the same
   * for every request, or a function of the request's actor that returns that actor's headers (e.g. the user's own
   * OAuth token for this server): then each actor gets its own session with the server (see `sessionTtlMs`,
   * `maxSessions`), and a function that throws leaves this server's tools out of that request. Its values are
   * redacted wherever the bridge redacts keys. Defaults to none.
   */
  headers?: Record<string, string> | McpHeadersFunction;
  /**
   * The transport. Defaults to Streamable HTTP first, then legacy HTTP+SSE when Streamable HTTP is answered
   * with a 4xx status.
   */
  transport?: 'streamable-http' | 'sse';
}

/** An MCP server started as a child process, spoken to over stdin/stdout. */
export interface McpStdioServerConfig {
  /** Names the server in shown tool names (`bmcp_<name>_<tool>`), logs and records. Required; unique. */
  name: string;
  /** The executable (found on `PATH`; no shell). Required. */
  command: string;
  /** Its arguments. Defaults to none. */
  args?: string[];
  /**
   * Environment variables of the child, added to a small safe set inherited from this process (`HOME`, `PATH`,
   * `USER`, `SHELL`, `TERM`, `LOGNAME`); the rest of this process's environment (provider keys…) is not passed on.
   * Defaults to that safe set only.
   */
  env?: Record<string, string>;
  /** The child's working directory. Defaults to this process's. */
  cwd?: string;
}

export type McpServerConfig = McpHttpServerConfig | McpStdioServerConfig;

/** What a per-actor `headers` function is given: the request's actor, provider and model. */
export type McpHeadersContext = Pick<ToolContext, 'actor' | 'providerName' | 'model'>;

/** Headers of one actor for one HTTP server, from the host's own store of that user's tokens. */
export type McpHeadersFunction = (ctx: McpHeadersContext) => Record<string, string> | Promise<Record<string, string>>;

/** A tool as a policy function sees it: its server's configured name and its own (raw) name. */
export interface McpToolRef {
  server: string;
  name: string;
}

/** A per-request tool policy: whether `tool` may be offered to (and called by) the request's actor. */
export type McpToolPolicy = (ctx: ToolContext, tool: McpToolRef) => boolean;

/** When tools are injected: into every request that can take them, or only into those that carry tools of their own. */
export type McpInjectWhen = 'always' | 'client-has-tools';

/** Options of {@link mcpToolInjector}. */
export interface McpToolInjectorOptions {
  /** The MCP servers whose tools are offered. Required, at least one; names unique. */
  servers: McpServerConfig[];
  /**
   * Only raw tool names matching it are offered; or a function of the request and the tool (per-user or per-group
   * policy), asked for every request and every call; a function that throws denies. Defaults to every tool.
   */
  allow?: RegExp | McpToolPolicy;
  /** Tools it matches (a RegExp of raw names, or a function like `allow`'s) are never offered, even when `allow` matches. Defaults to none. */
  deny?: RegExp | McpToolPolicy;
  /**
   * `'always'`: every request that can take tools gets them. `'client-has-tools'`: only requests whose body carries
   * tools of its own (a coding agent's title or summary requests carry none, and get none). Defaults to `'always'`.
   */
  injectWhen?: McpInjectWhen;
  /** With per-actor `headers`: an actor's session with a server unused this long, in ms, is closed. Defaults to 600,000 ms (10 min). */
  sessionTtlMs?: number;
  /** With per-actor `headers`: most per-actor sessions open at once; past it the least recently used is closed. Defaults to 1,000. */
  maxSessions?: number;
  /** Most model calls of one request's inner tool loop (read by the bridge as `injector.maxIterations`). Defaults to 10. */
  maxIterations?: number;
  /** Deadline of one tool call, in ms; past it the call is cancelled and resolves as a tool error. Defaults to 60,000 ms. */
  callTimeoutMs?: number;
  /** Age, in ms, after which a server's tool list is fetched again (besides on `tools/list_changed`). Defaults to 300,000 ms. */
  listTtlMs?: number;
  /** Deadline of one connection attempt (connect, initialize, first tool listing), in ms. Defaults to 10,000 ms. */
  connectTimeoutMs?: number;
  /** Delay before retrying a server that failed or went away, in ms: doubles from `initial` up to `max`. Defaults to `{ initial: 1000, max: 60000 }`. */
  retryDelayMs?: { initial?: number; max?: number };
  /** A winston logger. Defaults to the bridge's logger once attached, until then a console logger at `warn`. */
  logger?: Logger;
}

export const MCP_DEFAULTS = {
  ...LOOP_DEFAULTS,
  listTtlMs: 300_000,
  connectTimeoutMs: 10_000,
  retryDelayMs: { initial: 1_000, max: 60_000 },
  injectWhen: 'always' as McpInjectWhen,
  sessionTtlMs: 600_000,
  maxSessions: 1_000,
};

/** A server after validation: exactly one of the two kinds, with the label used in records. */
export type McpServerSpec =
  | {
    kind: 'http'; name: string; url: URL; headers: Record<string, string>; transport: 'streamable-http' | 'sse' | 'auto'; label: string;
    /** Per-actor headers: each actor's session is opened with what it returns (then `headers` is empty). */
    headersOf?: McpHeadersFunction;
  }
  | { kind: 'stdio'; name: string; command: string; args: string[]; env: Record<string, string> | undefined; cwd: string | undefined; label: string };

export interface McpConfig {
  servers: McpServerSpec[];
  allow: RegExp | McpToolPolicy | undefined;
  deny: RegExp | McpToolPolicy | undefined;
  injectWhen: McpInjectWhen;
  sessionTtlMs: number;
  maxSessions: number;
  maxIterations: number;
  callTimeoutMs: number;
  listTtlMs: number;
  connectTimeoutMs: number;
  retryDelayMs: { initial: number; max: number };
  logger: Logger | undefined;
}

const positiveInt = z.int({ error: 'must be a positive integer.' }).positive({ error: 'must be a positive integer.' });
const nonEmpty = z.string({ error: 'must be a non-empty string.' }).min(1, { error: 'must be a non-empty string.' });
const stringMap = z.record(z.string(), z.string({ error: 'must map names to strings.' }), { error: 'must be an object of strings.' });
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Header names to values; also what a per-actor `headers` function must return. */
export const headerRecord = z.record(
  z.string().regex(HEADER_NAME, { error: 'must use valid HTTP header names.' }),
  z.string({ error: 'must map header names to strings.' }).refine((v) => !/[\r\n\0]/.test(v), { error: 'must not contain CR, LF or NUL.' }),
  { error: 'must be an object of header names to strings, or a function of the request.' },
);

const httpServer = z.strictObject({
  name: nonEmpty,
  url: z.string({ error: 'must be an http(s) URL.' }).refine(isHttpUrl, { error: 'must be an http(s) URL.' }),
  headers: headerRecord.optional(),
  transport: z.enum(['streamable-http', 'sse'], { error: 'must be "streamable-http" or "sse".' }).optional(),
});

const stdioServer = z.strictObject({
  name: nonEmpty,
  command: nonEmpty,
  args: z.array(z.string(), { error: 'must be an array of strings.' }).optional(),
  env: stringMap.optional(),
  cwd: nonEmpty.optional(),
});

const isLogger = (v: unknown): boolean =>
  !!v && typeof v === 'object' && ['error', 'warn', 'info', 'debug'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function');

const isPolicy = (v: unknown): boolean => v instanceof RegExp || typeof v === 'function';

const topLevel = z.strictObject({
  servers: z.array(z.unknown(), { error: 'must be a non-empty array of servers.' }).min(1, { error: 'must be a non-empty array of servers.' }),
  allow: z.custom<RegExp | McpToolPolicy>(isPolicy, { error: 'must be a RegExp or a function (ctx, tool) => boolean.' }).optional(),
  deny: z.custom<RegExp | McpToolPolicy>(isPolicy, { error: 'must be a RegExp or a function (ctx, tool) => boolean.' }).optional(),
  injectWhen: z.enum(['always', 'client-has-tools'], { error: 'must be "always" or "client-has-tools".' }).optional(),
  sessionTtlMs: positiveInt.optional(),
  maxSessions: positiveInt.optional(),
  maxIterations: positiveInt.optional(),
  callTimeoutMs: positiveInt.optional(),
  listTtlMs: positiveInt.optional(),
  connectTimeoutMs: positiveInt.optional(),
  retryDelayMs: z.strictObject({ initial: positiveInt.optional(), max: positiveInt.optional() }, { error: 'must be an object.' }).optional(),
  logger: z.custom<Logger>(isLogger, { error: 'must be a winston Logger.' }).optional(),
});

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function pathText(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, prefix = ''): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    throw new OptionsError(OWNER, pathText(prefix, [...issue.path, issue.keys[0]]), 'is not a known option.');
  }
  const missing = issue.code === 'invalid_type' && issue.message.includes('received undefined');
  throw new OptionsError(OWNER, pathText(prefix, issue.path), missing ? 'is required.' : issue.message);
}

/** The label recorded as `serverUrl`: no credentials, query or fragment, which may carry secrets. */
function publicUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function serverSpec(raw: unknown, i: number): McpServerSpec {
  const at = `servers[${i}]`;
  const obj = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  if (!obj || ('url' in obj) === ('command' in obj)) {
    throw new OptionsError(OWNER, at, 'must be an object with either `url` (HTTP) or `command` (stdio).');
  }
  if ('url' in obj) {
    const headersOf = typeof obj.headers === 'function' ? (obj.headers as McpHeadersFunction) : undefined;
    const s = parse(httpServer, headersOf ? { ...obj, headers: undefined } : obj, at);
    const url = new URL(s.url);
    return { kind: 'http', name: s.name, url, headers: s.headers ?? {}, transport: s.transport ?? 'auto', label: publicUrl(url), ...(headersOf ? { headersOf } : {}) };
  }
  const s = parse(stdioServer, obj, at);
  return { kind: 'stdio', name: s.name, command: s.command, args: s.args ?? [], env: s.env, cwd: s.cwd, label: `stdio:${s.command}` };
}

/** Validates `options` once, at creation, throwing an error that names the bad option. */
export function resolveMcpOptions(options: unknown): McpConfig {
  if (!options || typeof options !== 'object' || Array.isArray(options)) {
    throw new OptionsError(OWNER, 'servers', 'is required: pass { servers: [...] }.');
  }
  const o = parse(topLevel, options);
  const servers = o.servers.map(serverSpec);
  const seen = new Set<string>();
  servers.forEach((s, i) => {
    if (seen.has(s.name)) throw new OptionsError(OWNER, `servers[${i}].name`, `repeats "${s.name}": server names must be unique.`);
    seen.add(s.name);
  });
  const retry = {
    initial: o.retryDelayMs?.initial ?? MCP_DEFAULTS.retryDelayMs.initial,
    max: o.retryDelayMs?.max ?? MCP_DEFAULTS.retryDelayMs.max,
  };
  if (retry.max < retry.initial) throw new OptionsError(OWNER, 'retryDelayMs.max', 'must not be smaller than `retryDelayMs.initial`.');
  return {
    servers,
    allow: o.allow instanceof RegExp ? statelessRegExp(o.allow) : o.allow,
    deny: o.deny instanceof RegExp ? statelessRegExp(o.deny) : o.deny,
    injectWhen: o.injectWhen ?? MCP_DEFAULTS.injectWhen,
    sessionTtlMs: o.sessionTtlMs ?? MCP_DEFAULTS.sessionTtlMs,
    maxSessions: o.maxSessions ?? MCP_DEFAULTS.maxSessions,
    maxIterations: o.maxIterations ?? MCP_DEFAULTS.maxIterations,
    callTimeoutMs: o.callTimeoutMs ?? MCP_DEFAULTS.callTimeoutMs,
    listTtlMs: o.listTtlMs ?? MCP_DEFAULTS.listTtlMs,
    connectTimeoutMs: o.connectTimeoutMs ?? MCP_DEFAULTS.connectTimeoutMs,
    retryDelayMs: retry,
    logger: o.logger,
  };
}
