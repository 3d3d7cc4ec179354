/** Which headers cross the gateway: the one rule for what goes upstream (every route) and what comes back down. */
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../errors';

/**
 * Never forwarded upstream: hop-by-hop and framing (the bridge frames every body itself), encoding negotiation,
 * cookies, client credentials (`Authorization`, `x-api-key`, Azure's `api-key`: the adapter sets the pool or BYOK key), client IP disclosure, and the OpenAI
 * organization/project (a client's value next to a pool key makes the upstream answer 401 and cools a healthy key),
 * and the client's trace context (`traceparent`, `tracestate`, `baggage`): the upstream is a third party, and a
 * client's baggage may carry anything; the bridge sends its own trace context only when the host registered a
 * propagator (the host's middleware may still read the client's for its parent span).
 */
const DROPPED_REQUEST_HEADERS = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'expect', 'http2-settings', 'host', 'content-length', 'accept-encoding', 'cookie',
  'cookie2', 'forwarded', 'x-real-ip', 'authorization', 'x-api-key', 'api-key', 'openai-organization', 'openai-project',
  'traceparent', 'tracestate', 'baggage',
]);
/** `x-aibridge-*` is only ever set by the gateway (a client must not forge an actor upstream). */
const DROPPED_REQUEST_PREFIXES = ['x-forwarded-', 'x-aibridge-', 'proxy-'];

/** Most client headers forwarded on one request; beyond it → `431`. */
export const MAX_FORWARDED_HEADERS = 100;
/** Most bytes (names plus values) of client headers forwarded on one request; beyond it → `431`. */
export const MAX_FORWARDED_HEADER_BYTES = 32 * 1024;

/**
 * Upstream response headers a client may rely on (request ids, rate-limit state, retry hints), and the session an
 * MCP server over streamable HTTP opens on a passthrough route (its client sends it back on every later call).
 */
const RELAYED_RESPONSE_HEADERS = new Set(['content-type', 'x-request-id', 'request-id', 'retry-after', 'retry-after-ms', 'mcp-session-id']);
const RELAYED_RESPONSE_PREFIXES = ['openai-', 'x-ratelimit-', 'anthropic-'];

function tooLarge(): GatewayError {
  return new GatewayError({ status: 431, errorType: 'bad_request', code: 'request_headers_too_large', message: `Request headers exceed what the gateway forwards (${MAX_FORWARDED_HEADERS} headers, ${MAX_FORWARDED_HEADER_BYTES} bytes).` });
}

// Nearly every request and answer says one of these: read on each of them, so answered without a split or a new Set.
const KEEP_ALIVE_ONLY: ReadonlySet<string> = new Set(['keep-alive']);
const CLOSE_ONLY: ReadonlySet<string> = new Set(['close']);

/** Header names a `Connection` header declares hop-by-hop, or undefined when there are none. */
export function connectionTokens(connection: string | string[] | undefined): ReadonlySet<string> | undefined {
  if (connection === undefined) return undefined;
  if (connection === 'keep-alive') return KEEP_ALIVE_ONLY;
  if (connection === 'close') return CLOSE_ONLY;
  const tokens = new Set<string>();
  for (const part of Array.isArray(connection) ? connection : [connection]) {
    for (const token of part.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '') tokens.add(name);
    }
  }
  return tokens.size === 0 ? undefined : tokens;
}

/** The request header rule of one bridge: the fixed list plus the host's `dropHeaders`. */
export interface HeaderRule {
  /**
   * The client headers that may go upstream, as a fresh object the caller adds its own headers to.
   * `bodyRewritten`: the bytes sent are not the client's (parsed, re-serialised), so `Content-Encoding` goes too.
   * Throws a `431` {@link GatewayError} past {@link MAX_FORWARDED_HEADERS} / {@link MAX_FORWARDED_HEADER_BYTES}.
   */
  forward(headers: IncomingHttpHeaders, bodyRewritten: boolean): Record<string, string | string[]>;
}

/** Builds the rule once; `dropHeaders` are lower-cased header names. */
export function createHeaderRule(dropHeaders: readonly string[]): HeaderRule {
  const hostDropped = new Set(dropHeaders);
  return {
    forward(headers, bodyRewritten) {
      const out: Record<string, string | string[]> = {};
      const hopByHop = connectionTokens(headers.connection);
      let count = 0;
      let bytes = 0;
      next: for (const name in headers) {
        const value = headers[name];
        if (value === undefined || DROPPED_REQUEST_HEADERS.has(name) || hostDropped.has(name) || hopByHop?.has(name)) continue;
        if (bodyRewritten && name === 'content-encoding') continue;
        for (const prefix of DROPPED_REQUEST_PREFIXES) if (name.startsWith(prefix)) continue next;
        bytes += name.length + (typeof value === 'string' ? value.length : value.reduce((n, v) => n + v.length, 0));
        if (++count > MAX_FORWARDED_HEADERS || bytes > MAX_FORWARDED_HEADER_BYTES) throw tooLarge();
        out[name] = value;
      }
      // Every answer must be readable to be scanned for keys: ask for it unencoded (a client's own wish was dropped above).
      out['accept-encoding'] = 'identity';
      return out;
    },
  };
}

/** Whether an upstream response header reaches the client (hop-by-hop and cookies never do). */
export function isRelayedResponseHeader(name: string): boolean {
  if (RELAYED_RESPONSE_HEADERS.has(name)) return true;
  for (const prefix of RELAYED_RESPONSE_PREFIXES) if (name.startsWith(prefix)) return true;
  return false;
}
