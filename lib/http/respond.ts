/** Writing to the client: gateway errors in the provider's shape, and relayed upstream headers. */
import type { Response } from 'express';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { GatewayError } from '../errors';
import type { KeyScrub } from '../redaction/redactor';
import { connectionTokens, isRelayedResponseHeader } from './header-rule';
import { stampServerTiming } from './server-timing';

/** What renders a gateway error as the provider's JSON error body (every provider adapter does). */
export interface ErrorRenderer {
  errorBody(error: GatewayError): string;
}

/** Answers with a gateway error as the provider would, unless a response has already begun. */
export function sendGatewayError(res: Response, provider: ErrorRenderer, error: GatewayError): void {
  if (res.headersSent || res.writableEnded) return;
  res.statusCode = error.status;
  res.setHeader('content-type', 'application/json');
  if (error.retryAfterSec !== undefined) res.setHeader('retry-after', String(error.retryAfterSec));
  if (error.headers) for (const name in error.headers) res.setHeader(name, error.headers[name]);
  // A body still arriving (refused, or past the limit) would otherwise be read to its end to keep the connection.
  if (res.req && !res.req.complete) res.setHeader('connection', 'close');
  stampServerTiming(res);
  res.end(provider.errorBody(error));
}

/**
 * Copies the upstream headers a client relies on (content type, request ids, rate limits, retry hints), each value
 * through `scrub`: the one place relayed header values are redacted (an upstream may echo a key in `x-request-id`).
 */
export function relayResponseHeaders(res: ServerResponse, headers: IncomingHttpHeaders, scrub: KeyScrub): void {
  const hopByHop = connectionTokens(headers.connection);
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && isRelayedResponseHeader(name) && !hopByHop?.has(name)) {
      res.setHeader(name, typeof value === 'string' ? scrub.text(value) : value.map(scrub.text));
    }
  }
}
