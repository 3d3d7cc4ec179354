/** What `mcpToolInjector().status()` reports per server, and the error text it may show (no secrets of the server's config). */
import { errorMessage } from '../observability/logger';
import type { McpServerSpec } from './mcp-options';

/** Where a server's connection stands. */
export type McpServerState = 'connecting' | 'ready' | 'failed' | 'closed';

/** One configured MCP server, as {@link McpToolInjector.status} reports it. Holds no header, env or URL secret. */
export interface McpServerStatus {
  /** The configured `name`. */
  name: string;
  /** The server's URL without credentials, query or fragment, or `stdio:<command>`. */
  url: string;
  /**
   * `connecting` (first attempt, or a retry, under way), `ready` (connected, tools listed), `failed` (the last attempt
   * failed or the connection was lost; retried with backoff) or `closed` (the injector was closed).
   */
  state: McpServerState;
  /** Tools the server listed last (none while not connected). */
  toolsListed: number;
  /** Of those, the ones `allow`/`deny` let through. */
  toolsAllowed: number;
  /** The last failure of a connection, a retry or a tool listing, with when it happened; its text is redacted and cut. */
  lastError?: { message: string; at: Date };
  /** When a tool listing last succeeded. */
  lastListedAt?: Date;
  /**
   * A server with per-actor `headers` only: how many actors' sessions are open, ready and failed. Its `state` is then
   * `failed` when every open session failed (else `ready`, or `closed`), and the counts, error and listing time are
   * those of its sessions (tool counts: the most recently used ready session's).
   */
  sessions?: { open: number; ready: number; failed: number };
}

/** What {@link McpToolInjector.status} returns. */
export interface McpToolInjectorStatus {
  servers: McpServerStatus[];
}

const MAX_ERROR_CHARS = 300;
// Shorter values would replace ordinary words of the message; such short secrets are not worth that.
const MIN_SECRET_CHARS = 4;
const REDACTED = '[redacted]';
// Longer than an auth scheme's name (`Bearer`, `Basic`), so only the token part of such a value is taken alone.
const MIN_TOKEN_PART_CHARS = 8;

/** The texts of `spec` that must never be shown: header and environment values, the URL's credentials, query and fragment. */
export function specSecrets(spec: McpServerSpec): string[] {
  let values: string[];
  if (spec.kind === 'http') {
    const { url } = spec;
    // A credential header's token alone (`Bearer <token>`) may be quoted as well as the whole value.
    const headerParts = Object.values(spec.headers).flatMap((v) => [v, ...v.split(/\s+/).filter((part) => part.length >= MIN_TOKEN_PART_CHARS)]);
    values = [...headerParts, url.username, url.password, url.search, url.search.slice(1), url.hash, url.hash.slice(1), ...url.searchParams.values()];
  } else {
    values = Object.values(spec.env ?? {});
  }
  // Longest first, so that a secret containing another is replaced whole.
  return [...new Set(values.map((v) => v.trim()).filter((v) => v.length >= MIN_SECRET_CHARS))].sort((a, b) => b.length - a.length);
}

/** Header names whose values are credentials: taught to the bridge's redaction rule (other values, e.g. `Accept`, would rewrite ordinary text). */
const CREDENTIAL_HEADER = /auth|token|key|secret|cookie|session|password|credential/i;

/** The values (and token parts) of `headers`' credential headers, as the bridge-wide redaction rule learns them. */
export function credentialHeaderSecrets(headers: Record<string, string>): string[] {
  const values = Object.entries(headers).filter(([name]) => CREDENTIAL_HEADER.test(name)).map(([, value]) => value);
  return [...new Set(values.flatMap((v) => [v.trim(), ...v.split(/\s+/).filter((part) => part.length >= MIN_TOKEN_PART_CHARS)]))];
}

/**
 * `err`'s message as a status may show it: the server's configured secrets, any URL's credentials and query, and
 * control characters removed; at most 300 characters. (Errors may quote the server's answer, which is hostile too.)
 */
export function redactedErrorMessage(err: unknown, secrets: readonly string[]): string {
  let text = errorMessage(err).slice(0, MAX_ERROR_CHARS * 4);
  for (const secret of secrets) text = text.split(secret).join(REDACTED);
  text = text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, `$1${REDACTED}@`)
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s?#]*)[?#][^\s]*/gi, `$1?${REDACTED}`)
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .trim();
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text;
}
