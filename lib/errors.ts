/** Errors the gateway itself answers with; each provider adapter renders them in its own shape. */

/** Why an interception failed, derived from the upstream status or cause. */
export type ErrorType =
  | 'bad_request'
  | 'unauthorized'
  | 'denied'
  | 'rate_limited'
  | 'overloaded'
  | 'server_error'
  | 'timeout'
  | 'aborted'
  | 'unknown';

/** What a gateway-made error says: the HTTP status, the recorded error type, a short machine code and a message. */
export interface GatewayErrorInit {
  status: number;
  errorType: ErrorType;
  code: string;
  message: string;
  /** Seconds, sent as `Retry-After`. */
  retryAfterSec?: number;
  /** Further response headers (e.g. the provider's rate-limit headers on a limit refusal). */
  headers?: Readonly<Record<string, string>>;
}

/** A gateway-made error; each provider adapter renders it in its own shape. */
export class GatewayError extends Error {
  readonly status: number;
  readonly errorType: ErrorType;
  readonly code: string;
  /** Seconds, sent as `Retry-After`. */
  readonly retryAfterSec?: number;
  readonly headers?: Readonly<Record<string, string>>;

  constructor(init: GatewayErrorInit) {
    super(init.message);
    this.name = 'GatewayError';
    this.status = init.status;
    this.errorType = init.errorType;
    this.code = init.code;
    this.retryAfterSec = init.retryAfterSec;
    if (init.headers) this.headers = init.headers;
  }
}

/**
 * A request the bridge itself refused on its own policy (authorization, capacity, …) before any upstream call or key
 * use: its `code` is recorded as the end's `errorCode`.
 */
export class Refusal extends GatewayError {
  constructor(init: GatewayErrorInit) {
    super(init);
    this.name = 'Refusal';
  }
}

/** A gateway failure told inside a stream: its message, the provider's own error type, the gateway's code. */
export interface StreamError {
  message: string;
  /** In the provider's vocabulary (`rate_limit_error`, `overloaded_error`, `server_error`, …). */
  type: string;
  code: string | null;
}

/** A failure the upstream reported inside a successful (200) response, e.g. an error event mid-stream. */
export interface UpstreamReportedError {
  message: string;
  type?: string;
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

/** Whether `err` came from the network or the HTTP client (it carries a string `code`), not from a bug of ours. */
export function isTransportError(err: unknown): boolean {
  return typeof (err as { code?: unknown } | null)?.code === 'string';
}

/** Maps a transport failure before any answer arrived (refused, reset, timed out) to the error the client gets. */
export function gatewayErrorForTransport(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
    return new GatewayError({ status: 504, errorType: 'timeout', code: 'upstream_timeout', message: 'The upstream provider did not answer in time.' });
  }
  return new GatewayError({ status: 502, errorType: 'server_error', code: 'upstream_unreachable', message: 'The upstream provider could not be reached.' });
}

function midBodyErrors(where: string) {
  return {
    silent: new GatewayError({ status: 504, errorType: 'timeout', code: 'upstream_timeout', message: `The upstream went silent ${where} for longer than the idle timeout.` }),
    lost: new GatewayError({ status: 502, errorType: 'server_error', code: 'upstream_disconnected', message: `The upstream connection was lost ${where}.` }),
  };
}
const MID_STREAM = midBodyErrors('mid-stream');
const MID_RESPONSE = midBodyErrors('while sending its answer');

/**
 * Maps a transport failure while the answer's body was arriving: the upstream was reached, so "could not be
 * reached" would send people looking in the wrong place.
 */
export function gatewayErrorMidBody(err: unknown, streaming: boolean): GatewayError {
  if (err instanceof GatewayError) return err;
  const errors = streaming ? MID_STREAM : MID_RESPONSE;
  return (err as { code?: unknown })?.code === 'UND_ERR_BODY_TIMEOUT' ? errors.silent : errors.lost;
}

/** The answer to an error we did not expect (a bug): no detail leaves the process, the log has it. */
export const INTERNAL_ERROR = new GatewayError({ status: 500, errorType: 'server_error', code: 'internal_error', message: 'The gateway failed to handle this request.' });

/** Providers' own `error.type` words (OpenAI's and Anthropic's vocabularies overlap) → the recorded error type. */
const BY_PROVIDER_TYPE: Record<string, ErrorType> = {
  invalid_request_error: 'bad_request', not_found_error: 'bad_request', request_too_large: 'bad_request',
  authentication_error: 'unauthorized', permission_error: 'unauthorized',
  rate_limit_error: 'rate_limited', overloaded_error: 'overloaded',
  api_error: 'server_error', server_error: 'server_error', timeout_error: 'timeout',
};

/** The recorded error type of an error event the upstream sent mid-stream; `server_error` when its type is unknown. */
export function errorTypeForUpstreamEvent(type: string | undefined): ErrorType {
  return (type !== undefined && Object.hasOwn(BY_PROVIDER_TYPE, type) ? BY_PROVIDER_TYPE[type] : undefined) ?? 'server_error';
}

/** The upstream's own error message from an error body (both providers use `error.message`), if any. */
export function upstreamErrorMessage(body: Buffer): string | undefined {
  if (body.length === 0 || body.length > 65_536) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: { message?: unknown } };
    return typeof parsed?.error?.message === 'string' ? parsed.error.message : undefined;
  } catch {
    return undefined;
  }
}
