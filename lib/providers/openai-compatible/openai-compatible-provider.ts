/** `openaiCompatibleProvider()`: servers that speak OpenAI's chat completions and Responses (Azure OpenAI, vLLM, Ollama, OpenRouter…). */
import type { IncomingHttpHeaders } from 'node:http';
import { chatCompletionsApi, chatCompletionsApiWith } from '../../apis/openai-chat/chat-completions-api';
import { responsesApi } from '../../apis/openai-responses/responses-api';
import { openaiErrors } from '../../apis/openai-common/openai-errors';
import { OptionsError, isPlainObject } from '../../options-check';
import type { UpstreamCredential } from '../../keypool/credentials';
import type { CredentialKind } from '../../recorder/types';
import { keyOf } from '../credential-headers';
import { bearerToken, OPENAI_PASSTHROUGH } from '../openai';
import { classifyOpenAIFailure } from '../openai-failures';
import { passthroughAllowlist } from '../passthrough-allowlist';
import { normalizeProviderOptions } from '../provider-options';
import type { BridgedProvider, ClientCredential } from '../types';
import { apiVersionHook, azureBaseURL, deploymentPath } from './azure-routes';
import { COMPATIBLE_OPTIONS, compatibleOptions, keylessPool, type OpenAICompatibleProviderOptions } from './compatible-options';

const OWNER = 'openaiCompatibleProvider';
const WITHOUT_USAGE_REQUEST = [chatCompletionsApiWith({ includeUsage: false }), responsesApi];
const APIS = [chatCompletionsApi, responsesApi];

/** A client's Azure key: `api-key`, as Azure's own clients send it. */
function apiKeyHeader(headers: IncomingHttpHeaders): string | undefined {
  const key = headers['api-key'];
  return typeof key === 'string' && key.trim() !== '' ? key.trim() : undefined;
}

/**
 * An upstream that speaks OpenAI's chat completions (and Responses when it does). Clients use
 * `baseURL: <mount>/<name>/v1`, as for `openaiProvider()`. Without `keys` (or `credentials`) no auth header is sent
 * (vLLM, Ollama). With `azure`, keys go as `api-key` and paths are Azure's (see {@link OpenAICompatibleProviderOptions}).
 */
export function openaiCompatibleProvider(options: OpenAICompatibleProviderOptions): BridgedProvider {
  if (!isPlainObject(options)) throw new OptionsError(OWNER, 'options', 'must be an object { name, baseURL, keys?, headers?, azure? }.');
  const own = compatibleOptions(options as unknown as Record<string, unknown>);
  const keyless = options.keys === undefined && options.credentials === undefined;
  const given = keyless ? { ...options, credentials: keylessPool(options.name) } : options;
  const o = normalizeProviderOptions(OWNER, given, { name: options.name, baseURL: options.baseURL }, COMPATIBLE_OPTIONS);
  const { azure, headers } = own;
  const authHeader = azure ? 'api-key' : 'authorization';
  const authValue = azure ? (key: string) => key : (key: string) => `Bearer ${key}`;

  /** The static headers and the key's auth header (none for the keyless entry). */
  function headersWith(key: string): Record<string, string> {
    return key === '' ? { ...headers } : { ...headers, [authHeader]: authValue(key) };
  }
  // Built once per pool credential (at its first use): every attempt with it reuses its headers.
  const poolHeaders = new WeakMap<object, Record<string, string>>();
  function credentialHeaders(credential: UpstreamCredential, kind: CredentialKind): Record<string, string> {
    if (kind !== 'centralized') return headersWith(keyOf(credential, OWNER));
    let built = poolHeaders.get(credential);
    if (!built) poolHeaders.set(credential, (built = headersWith(keyOf(credential, OWNER))));
    return built;
  }
  function clientCredential(h: IncomingHttpHeaders): ClientCredential | undefined {
    const key = (azure ? apiKeyHeader(h) : undefined) ?? bearerToken(h);
    return key === undefined ? undefined : { key, headers: headersWith(key) };
  }

  const upstreamPath = azure && deploymentPath(azure);
  const prepareRequest = azure && apiVersionHook(azure);
  return {
    kind: azure ? 'azure-openai' : 'openai-compatible',
    ...o,
    baseURL: azure ? azureBaseURL(o.baseURL, azure) : o.baseURL,
    passthrough: passthroughAllowlist(OWNER, options.passthrough, OPENAI_PASSTHROUGH),
    routePrefixInBaseURL: '/v1',
    credentialHeaders,
    clientCredential,
    errorBody: openaiErrors.errorBody,
    errorType: openaiErrors.errorType,
    classifyFailure: classifyOpenAIFailure,
    ...(upstreamPath ? { upstreamPath } : {}),
    ...(prepareRequest ? { prepareRequest } : {}),
    apis: own.includeUsage ? APIS : WITHOUT_USAGE_REQUEST,
  };
}

export type { AzureOptions, OpenAICompatibleProviderOptions } from './compatible-options';
