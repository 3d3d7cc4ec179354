/** OpenAI's error shape: `{"error":{"message","type","code"}}`, with its `error.type` per HTTP status. */
import type { GatewayError } from '../../errors';
import type { ErrorShape } from '../error-shape';
import type { RateLimitStanding } from '../../governance/limits/limit-refusal';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'invalid_request_error',
  405: 'invalid_request_error', 413: 'invalid_request_error', 429: 'rate_limit_error',
};

/** OpenAI's `error.type` for a gateway error. */
function errorType(error: GatewayError): string {
  return ERROR_TYPES[error.status] ?? (error.status >= 500 ? 'server_error' : 'invalid_request_error');
}

/** OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`, the reset as a duration (`6m0s`). */
function openaiRateLimitHeaders({ kind, limit, remaining, resetMs }: RateLimitStanding): Record<string, string> {
  return { [`x-ratelimit-limit-${kind}`]: String(limit), [`x-ratelimit-remaining-${kind}`]: String(remaining), [`x-ratelimit-reset-${kind}`]: openaiDuration(resetMs) };
}

/** OpenAI's reset durations: `20ms`, `17s`, `6m0s`, `1h2m3s`. */
export function openaiDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
}

/** The error shape of OpenAI's APIs (chat completions, responses) and of OpenAI-compatible upstreams. */
export const openaiErrors: ErrorShape = {
  errorBody: (error) => JSON.stringify({ error: { message: error.message, type: errorType(error), code: error.code } }),
  errorType,
  rateLimitHeaders: openaiRateLimitHeaders,
};
