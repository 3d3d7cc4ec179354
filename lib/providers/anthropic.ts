/** The Anthropic provider adapter: routes, `x-api-key` auth (BYOK also as a bearer token), Anthropic-shaped errors. */
import type { IncomingHttpHeaders } from 'node:http';
import { anthropicErrors } from '../apis/anthropic-messages/anthropic-errors';
import { classifyAnthropicFailure } from './anthropic-failures';
import { bearerToken } from './openai';
import { keyOf } from './credential-headers';
import { normalizeProviderOptions } from './provider-options';
import { passthroughRule } from './passthrough-rule';
import { passthroughAllowlist } from './passthrough-allowlist';
import type { ClientCredential, ProviderAdapter, ProviderOptions } from './types';

export { anthropicErrorTypeFor, anthropicErrorTypeForStatus } from '../apis/anthropic-messages/anthropic-errors';

/** Options of `anthropicProvider()`; see {@link ProviderOptions}. `name` defaults to `anthropic`, `baseURL` to `https://api.anthropic.com`. */
export type AnthropicProviderOptions = ProviderOptions;

/** Sent when the client names no API version: the upstream refuses requests without one. */
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

// Message batches stay closed: a batch spends tokens that no record, limit or budget sees (see docs/providers-and-routes.md).
const PASSTHROUGH = [
  passthroughRule(['GET'], '/v1/models'),
  passthroughRule(['GET'], '/v1/models/:id'),
  passthroughRule(['POST'], '/v1/messages/count_tokens'),
];

/** The client's own key: `x-api-key` first, else an `Authorization: Bearer` token (OAuth, e.g. Claude Code subscriptions). */
export function anthropicClientCredential(headers: IncomingHttpHeaders): ClientCredential | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim() !== '') {
    const key = apiKey.trim();
    return { key, headers: { 'x-api-key': key } };
  }
  const token = bearerToken(headers);
  return token === undefined ? undefined : { key: token, headers: { authorization: `Bearer ${token}` } };
}

/** The adapter of an Anthropic upstream, without its APIs (`anthropicProvider()` adds them). */
export function anthropicAdapter(options: AnthropicProviderOptions): ProviderAdapter {
  const o = normalizeProviderOptions('anthropicProvider', options, { name: 'anthropic', baseURL: 'https://api.anthropic.com' });
  return {
    kind: 'anthropic',
    ...o,
    passthrough: passthroughAllowlist('anthropicProvider', options?.passthrough, PASSTHROUGH),
    routePrefixInBaseURL: '',
    defaultHeaders: { 'anthropic-version': DEFAULT_ANTHROPIC_VERSION },
    credentialHeaders: (credential) => ({ 'x-api-key': keyOf(credential, 'anthropicProvider') }),
    clientCredential: anthropicClientCredential,
    errorBody: anthropicErrors.errorBody,
    errorType: anthropicErrors.errorType,
    classifyFailure: classifyAnthropicFailure,
  };
}
