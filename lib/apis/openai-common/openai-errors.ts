/** OpenAI's error shape: `{"error":{"message","type","code"}}`, with its `error.type` per HTTP status. */
import type { GatewayError } from '../../errors';
import type { ErrorShape } from '../error-shape';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'invalid_request_error',
  405: 'invalid_request_error', 413: 'invalid_request_error', 429: 'rate_limit_error',
};

/** OpenAI's `error.type` for a gateway error. */
function errorType(error: GatewayError): string {
  return ERROR_TYPES[error.status] ?? (error.status >= 500 ? 'server_error' : 'invalid_request_error');
}

/** The error shape of OpenAI's APIs (chat completions, responses) and of OpenAI-compatible upstreams. */
export const openaiErrors: ErrorShape = {
  errorBody: (error) => JSON.stringify({ error: { message: error.message, type: errorType(error), code: error.code } }),
  errorType,
  rateLimitHeaders: 'openai',
};
