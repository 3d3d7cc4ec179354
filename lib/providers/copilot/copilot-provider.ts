/** `copilotProvider()`: GitHub Copilot, always with the client's own token; chat completions, Responses and Anthropic Messages. */
import type { IncomingHttpHeaders } from 'node:http';
import { openaiErrors } from '../../apis/openai-common/openai-errors';
import { chatCompletionsApi } from '../../apis/openai-chat/chat-completions-api';
import { responsesApi } from '../../apis/openai-responses/responses-api';
import { messagesApi } from '../../apis/anthropic-messages/messages-api';
import { OptionsError, isPlainObject, rejectUnknownKeys } from '../../options-check';
import { keyOf } from '../credential-headers';
import { bearerToken } from '../openai';
import { classifyOpenAIFailure } from '../openai-failures';
import { normalizeProviderOptions } from '../provider-options';
import { passthroughAllowlist } from '../passthrough-allowlist';
import type { BridgedProvider, ClientCredential, PassthroughOption, ProviderTimeouts } from '../types';
export { COPILOT_HOSTS } from './copilot-routes';
import { COPILOT_HOSTS, COPILOT_PASSTHROUGH, COPILOT_ROUTE_PREFIX, copilotUpstreamPath } from './copilot-routes';

/** Options of `copilotProvider()`. There is no key pool: every request carries its sender's own Copilot token. */
export interface CopilotProviderOptions {
  /** Route prefix and record `providerName`; `^[a-z0-9]+(-[a-z0-9]+)*$`, unique per bridge. Defaults to `copilot`. */
  name?: string;
  /**
   * The Copilot API host, without a path: one of {@link COPILOT_HOSTS} (`individual`, `business`, `enterprise`) or
   * another URL serving the same API. Defaults to `https://api.individual.githubcopilot.com`.
   */
  baseURL?: string;
  /** Send `x-aibridge-actor-id` and `x-aibridge-actor-metadata-*` headers upstream. Defaults to false. */
  actorHeaders?: boolean;
  /** Upstream timeouts. Defaults to those of every provider (see `openaiProvider`). */
  timeouts?: ProviderTimeouts;
  /** Passthrough routes to add to or remove from the allowlist, or a function returning the whole list. Defaults to `/v1/models`, `/v1/agents`, `/v1/mcp` and `/v1/.well-known` (and below). */
  passthrough?: PassthroughOption;
}

const OWNER = 'copilotProvider';
const KNOWN = ['name', 'baseURL', 'actorHeaders', 'timeouts', 'passthrough'];
const POOL_OPTIONS = ['keys', 'credentials', 'byok', 'cooldowns'];
const APIS = [chatCompletionsApi, responsesApi, messagesApi];

/**
 * The client's Copilot token: `Authorization: Bearer`, else `x-api-key` (an Anthropic SDK given it as its key).
 * Copilot takes it as a bearer token either way.
 */
export function copilotClientCredential(headers: IncomingHttpHeaders): ClientCredential | undefined {
  let token = bearerToken(headers);
  if (token === undefined) {
    const apiKey = headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey.trim() !== '') token = apiKey.trim();
  }
  return token === undefined ? undefined : { key: token, headers: { authorization: `Bearer ${token}` } };
}

function checkOptions(options: unknown): Record<string, unknown> {
  const o = options === undefined ? {} : options;
  if (!isPlainObject(o)) throw new OptionsError(OWNER, 'options', 'must be an object.');
  const pool = POOL_OPTIONS.find((k) => Object.hasOwn(o, k));
  if (pool !== undefined) {
    throw new OptionsError(OWNER, pool, 'is not an option: Copilot is always BYOK (each client sends its own Copilot token as `Authorization: Bearer`), so there is no key pool.');
  }
  rejectUnknownKeys(OWNER, o, KNOWN);
  return o;
}

/**
 * GitHub Copilot. Clients use `baseURL: <mount>/<name>/v1` (OpenAI SDKs) or `<mount>/<name>` (Anthropic SDKs) and
 * their own Copilot token; a request without one is a `401`, sent nowhere. The client's Copilot headers
 * (`Editor-Version`, `Copilot-Integration-Id`, …) go upstream under the common header rule.
 */
export function copilotProvider(options?: CopilotProviderOptions): BridgedProvider {
  const o = checkOptions(options);
  const normalized = normalizeProviderOptions(OWNER, { ...o, byok: true }, { name: 'copilot', baseURL: COPILOT_HOSTS.individual });
  return {
    kind: 'copilot',
    ...normalized,
    passthrough: passthroughAllowlist(OWNER, o.passthrough, COPILOT_PASSTHROUGH),
    routePrefixInBaseURL: COPILOT_ROUTE_PREFIX,
    upstreamPath: copilotUpstreamPath,
    credentialHeaders: (credential) => ({ authorization: `Bearer ${keyOf(credential, OWNER)}` }),
    clientCredential: copilotClientCredential,
    errorBody: openaiErrors.errorBody,
    errorType: openaiErrors.errorType,
    classifyFailure: classifyOpenAIFailure,
    apis: APIS,
  };
}
