/** The OpenAI provider adapter: routes, bearer auth, OpenAI-shaped errors. */
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayError } from '../errors';
import { chatCompletionsApi } from '../intercept/chat-completions/chat-completions-api';
import { normalizeProviderOptions } from './provider-options';
import { passthroughRule } from './passthrough-rule';
import type { ProviderAdapter, ProviderOptions } from './types';

/** Options of {@link openaiProvider}; see {@link ProviderOptions}. `name` defaults to `openai`, `baseURL` to `https://api.openai.com/v1`. */
export type OpenAIProviderOptions = ProviderOptions;

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'invalid_request_error',
  405: 'invalid_request_error', 413: 'invalid_request_error', 429: 'rate_limit_error',
};

const PASSTHROUGH = [
  passthroughRule(['GET'], '/v1/models'),
  passthroughRule(['GET'], '/v1/models/:id'),
  passthroughRule(['GET'], '/v1/responses/:id'),
  passthroughRule(['GET', 'POST', 'DELETE'], '/v1/conversations/*'),
];

/** The bearer token of an `Authorization` header. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth !== 'string' || auth.length < 8 || auth.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const token = auth.slice(7).trim();
  return token === '' ? undefined : token;
}

/** An OpenAI (or OpenAI-compatible) upstream. Clients use `baseURL: <mount>/<name>/v1`. */
export function openaiProvider(options: OpenAIProviderOptions): ProviderAdapter {
  const o = normalizeProviderOptions('openaiProvider', options, { name: 'openai', baseURL: 'https://api.openai.com/v1' });
  return {
    kind: 'openai',
    ...o,
    apis: [chatCompletionsApi],
    passthrough: PASSTHROUGH,
    routePrefixInBaseURL: '/v1',
    credentialHeaders: (key) => ({ authorization: `Bearer ${key}` }),
    clientCredential(headers) {
      const key = bearerToken(headers);
      return key === undefined ? undefined : { key, headers: { authorization: `Bearer ${key}` } };
    },
    errorBody(error: GatewayError) {
      const type = ERROR_TYPES[error.status] ?? (error.status >= 500 ? 'server_error' : 'invalid_request_error');
      return JSON.stringify({ error: { message: error.message, type, code: error.code } });
    },
  };
}
