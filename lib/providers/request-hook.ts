/** Runs a provider's request hook on one attempt: the request split into path and query for it, joined again for sending. */
import { GatewayError } from '../errors';
import type { OutgoingRequest, RequestHook, RequestHookContext } from './provider-hooks';

/** One attempt as sent: `path` carries the query string again. */
export interface HookedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

const EMPTY = Buffer.alloc(0);

const BAD_HOOK_RESULT = new GatewayError({ status: 500, errorType: 'server_error', code: 'internal_error', message: 'The provider prepared an unusable upstream request.' });

/** One attempt as the bridge built it, before the hook. */
export interface PlannedRequest {
  method: string;
  /** The upstream path with the client's query string. */
  pathAndQuery: string;
  headers: Record<string, string | string[]>;
  body: Buffer | string | undefined;
}

/**
 * Hands the attempt to `hook` and checks what comes back. `headers` is copied, so the hook may change it without
 * touching the next attempt's.
 */
export async function runRequestHook(hook: RequestHook, planned: PlannedRequest, ctx: RequestHookContext): Promise<HookedRequest> {
  const { method, pathAndQuery, headers, body } = planned;
  const at = pathAndQuery.indexOf('?');
  const request: OutgoingRequest = {
    method,
    path: at < 0 ? pathAndQuery : pathAndQuery.slice(0, at),
    query: at < 0 ? '' : pathAndQuery.slice(at + 1),
    headers: { ...headers },
    body: body === undefined ? EMPTY : typeof body === 'string' ? Buffer.from(body) : body,
  };
  const out = await hook(request, ctx);
  if (!out || typeof out.method !== 'string' || typeof out.path !== 'string' || !out.path.startsWith('/') || typeof out.query !== 'string'
    || !Buffer.isBuffer(out.body) || !out.headers || typeof out.headers !== 'object') throw BAD_HOOK_RESULT;
  return { method: out.method, path: out.query === '' ? out.path : `${out.path}?${out.query}`, headers: out.headers, body: out.body };
}
