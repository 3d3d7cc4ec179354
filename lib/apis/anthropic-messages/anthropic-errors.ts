/** Anthropic's error vocabulary: the `error.type` for an HTTP status or a recorded error type, and the body around it. */
import type { ErrorType } from '../../recorder/types';
import type { ErrorShape } from '../error-shape';
import type { RateLimitStanding } from '../../governance/limits/limit-refusal';

const BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error',
  405: 'invalid_request_error', 413: 'request_too_large', 429: 'rate_limit_error', 503: 'overloaded_error', 529: 'overloaded_error',
};

const BY_ERROR_TYPE: Record<ErrorType, string> = {
  bad_request: 'invalid_request_error',
  unauthorized: 'authentication_error',
  denied: 'permission_error',
  rate_limited: 'rate_limit_error',
  overloaded: 'overloaded_error',
  server_error: 'api_error',
  timeout: 'api_error',
  aborted: 'api_error',
  unknown: 'api_error',
};

/** Anthropic's `error.type` for an HTTP status (other 4xx → `invalid_request_error`, other 5xx → `api_error`). */
export function anthropicErrorTypeForStatus(status: number): string {
  return BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** Anthropic's `error.type` for a recorded error type (what a failure mid-stream is reported as). */
export function anthropicErrorTypeFor(errorType: string): string {
  return BY_ERROR_TYPE[errorType as ErrorType] ?? 'api_error';
}

/** `{"type":"error","error":{"type","message"}}`, the body of every Anthropic error. */
export function anthropicErrorJson(type: string, message: string): string {
  return JSON.stringify({ type: 'error', error: { type, message } });
}

/** Anthropic's `anthropic-ratelimit-{requests,tokens}-{limit,remaining,reset}`, the reset as an RFC 3339 time. */
function anthropicRateLimitHeaders({ kind, limit, remaining, resetMs }: RateLimitStanding): Record<string, string> {
  const reset = new Date(Math.ceil((Date.now() + resetMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return { [`anthropic-ratelimit-${kind}-limit`]: String(limit), [`anthropic-ratelimit-${kind}-remaining`]: String(remaining), [`anthropic-ratelimit-${kind}-reset`]: reset };
}

/** The error shape of Anthropic's Messages API. */
export const anthropicErrors: ErrorShape = {
  errorBody: (error) => anthropicErrorJson(anthropicErrorTypeForStatus(error.status), error.message),
  errorType: (error) => anthropicErrorTypeForStatus(error.status),
  rateLimitHeaders: anthropicRateLimitHeaders,
};
