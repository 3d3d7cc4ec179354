/** The OpenAI provider adapter: passthrough routes, bearer auth with account headers, OpenAI-shaped errors. */
import type { IncomingHttpHeaders } from 'node:http';
import { openaiErrors } from '../apis/openai-common/openai-errors';
import { referencedItems } from '../apis/openai-responses/item-ids';
import type { NamedId } from '../ownership/stored-state';
import { OptionsError } from '../options-check';
import { keyOf } from './credential-headers';
import { classifyOpenAIFailure } from './openai-failures';
import { normalizeProviderOptions } from './provider-options';
import { passthroughRule } from './passthrough-rule';
import { passthroughAllowlist } from './passthrough-allowlist';
import type { ProviderAdapter, ProviderOptions } from './types';

/** Options of `openaiProvider()`; see {@link ProviderOptions}. `name` defaults to `openai`, `baseURL` to `https://api.openai.com/v1`. */
export interface OpenAIProviderOptions extends ProviderOptions {
  /** Sent as `OpenAI-Organization` with pool keys (never with a BYOK key; a client's own value is never forwarded). Defaults to none. */
  organization?: string;
  /** Sent as `OpenAI-Project` with pool keys (never with a BYOK key; a client's own value is never forwarded). Defaults to none. */
  project?: string;
}

const OWN_OPTIONS = ['organization', 'project'] as const;

function accountHeader(value: unknown, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[\x21-\x7e]+$/.test(value)) {
    throw new OptionsError('openaiProvider', option, 'must be a non-empty string of visible ASCII characters (e.g. "org-…").');
  }
  return value;
}

/** The output items a conversation's `items` reference: added to it, they would copy another actor's item. */
function conversationItemReferences(raw: Buffer): NamedId[] {
  return referencedItems(raw, 'items').map((id) => ({ kind: 'item', id }));
}

// Routes that name a stored response or conversation are scoped to the actor that created it (see ownership/).
/** OpenAI's passthrough allowlist (also the default of OpenAI-compatible upstreams). */
export const OPENAI_PASSTHROUGH = [
  passthroughRule(['GET'], '/v1/models'),
  passthroughRule(['GET'], '/v1/models/:id'),
  passthroughRule(['GET', 'DELETE'], '/v1/responses/:id', { owns: 'response' }),
  passthroughRule(['GET'], '/v1/responses/:id/input_items', { owns: 'response' }),
  passthroughRule(['POST'], '/v1/responses/:id/cancel', { owns: 'response' }),
  // Stored chat completions (`store: true`) by id; the list (`GET /v1/chat/completions`) would show every actor's: closed.
  passthroughRule(['GET', 'POST', 'DELETE'], '/v1/chat/completions/:id', { owns: 'chat_completion' }),
  passthroughRule(['GET'], '/v1/chat/completions/:id/messages', { owns: 'chat_completion' }),
  passthroughRule(['POST'], '/v1/conversations', { creates: 'conversation', namedInBody: conversationItemReferences }),
  passthroughRule(['GET', 'POST', 'DELETE'], '/v1/conversations/:id/*', { owns: 'conversation', namedInBody: conversationItemReferences }),
];

/** The bearer token of an `Authorization` header. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth !== 'string' || auth.length < 8 || auth.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const token = auth.slice(7).trim();
  return token === '' ? undefined : token;
}

/** The adapter of an OpenAI (or OpenAI-compatible) upstream, without its APIs (`openaiProvider()` adds them). */
export function openaiAdapter(options: OpenAIProviderOptions): ProviderAdapter {
  const o = normalizeProviderOptions('openaiProvider', options, { name: 'openai', baseURL: 'https://api.openai.com/v1' }, OWN_OPTIONS);
  const account: Record<string, string> = {};
  const org = accountHeader(options?.organization, 'organization');
  const proj = accountHeader(options?.project, 'project');
  if (org !== undefined) account['openai-organization'] = org;
  if (proj !== undefined) account['openai-project'] = proj;
  // Built once per pool credential (at its first use): every attempt with it reuses its headers.
  const poolHeaders = new WeakMap<object, Record<string, string>>();
  return {
    kind: 'openai',
    ...o,
    passthrough: passthroughAllowlist('openaiProvider', options?.passthrough, OPENAI_PASSTHROUGH),
    routePrefixInBaseURL: '/v1',
    credentialHeaders(credential, kind) {
      if (kind !== 'centralized') return { authorization: `Bearer ${keyOf(credential, 'openaiProvider')}` };
      let headers = poolHeaders.get(credential);
      if (!headers) poolHeaders.set(credential, (headers = { authorization: `Bearer ${keyOf(credential, 'openaiProvider')}`, ...account }));
      return headers;
    },
    clientCredential(headers) {
      const key = bearerToken(headers);
      return key === undefined ? undefined : { key, headers: { authorization: `Bearer ${key}` } };
    },
    errorBody: openaiErrors.errorBody,
    errorType: openaiErrors.errorType,
    classifyFailure: classifyOpenAIFailure,
  };
}
