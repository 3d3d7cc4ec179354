/** Which headers cross the gateway: the one list of what is dropped on the way up and relayed on the way down. */
import type { IncomingHttpHeaders } from 'node:http';

/** Never forwarded upstream: hop-by-hop, framing, encoding, cookies, client credentials. */
const DROPPED_REQUEST_HEADERS = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'host', 'content-length', 'accept-encoding', 'cookie', 'cookie2', 'forwarded',
  'x-real-ip', 'authorization', 'x-api-key', 'expect', 'http2-settings',
]);

/** Upstream response headers a client may rely on (request ids, rate-limit state, retry hints). */
const RELAYED_RESPONSE_HEADERS = new Set(['content-type', 'x-request-id', 'request-id', 'retry-after', 'retry-after-ms']);
const RELAYED_RESPONSE_PREFIXES = ['openai-', 'x-ratelimit-', 'anthropic-'];

/** Client headers that may go upstream, as a fresh object the caller can add credentials to. */
export function forwardableRequestHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const connection = headers.connection;
  const alsoHopByHop = connection && connection !== 'keep-alive' && connection !== 'close'
    ? new Set(connection.toLowerCase().split(',').map((s) => s.trim()))
    : undefined;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || DROPPED_REQUEST_HEADERS.has(name) || name.startsWith('x-forwarded-')) continue;
    // The gateway's own headers are only ever set by the gateway (a client must not forge an actor upstream).
    if (name.startsWith('x-aibridge-')) continue;
    if (alsoHopByHop?.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** Whether an upstream response header reaches the client. */
export function isRelayedResponseHeader(name: string): boolean {
  if (RELAYED_RESPONSE_HEADERS.has(name)) return true;
  for (const prefix of RELAYED_RESPONSE_PREFIXES) if (name.startsWith(prefix)) return true;
  return false;
}

/** Stripped from passthrough requests too; http-proxy already drops hop-by-hop headers and rewrites `host`. */
export const PASSTHROUGH_STRIPPED_HEADERS: readonly string[] = [
  'cookie', 'cookie2', 'authorization', 'x-api-key', 'proxy-authorization', 'forwarded', 'x-real-ip', 'accept-encoding',
];
