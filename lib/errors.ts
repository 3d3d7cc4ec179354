/** Errors the gateway itself answers with; each provider adapter renders them in its own shape. */
import type { ErrorType } from './recorder/types';

/** A gateway-made error: the HTTP status, the recorded error type, a short machine code and a message. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: ErrorType,
    readonly code: string,
    message: string,
    /** Seconds, sent as `Retry-After`. */
    readonly retryAfterSec?: number,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

/** The recorded error type for an upstream (or gateway) HTTP status, as DESIGN.md fixes it. */
export function errorTypeForStatus(status: number): ErrorType {
  switch (status) {
    case 400: case 404: case 413: case 422: return 'bad_request';
    case 401: case 403: return 'unauthorized';
    case 429: return 'rate_limited';
    case 503: case 529: return 'overloaded';
    case 408: case 504: return 'timeout';
    default: return status >= 500 ? 'server_error' : 'unknown';
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** Maps a transport failure (refused, reset, timed out) to the error the client gets. */
export function gatewayErrorForTransport(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
    return new GatewayError(504, 'timeout', 'upstream_timeout', 'The upstream provider did not answer in time.');
  }
  return new GatewayError(502, 'server_error', 'upstream_unreachable', 'The upstream provider could not be reached.');
}
