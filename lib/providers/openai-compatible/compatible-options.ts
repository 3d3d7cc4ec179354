/** Options of `openaiCompatibleProvider()` beyond the common ones: static headers, Azure, usage, and the keyless pool. */
import { OptionsError, isPlainObject, optionalBoolean, rejectUnknownKeys } from '../../options-check';
import { staticCredentials, type CredentialSource, type KeyCredential } from '../../keypool/credentials';
import type { ProviderOptions } from '../types';

/** Azure OpenAI: which of its two APIs, and how models name deployments. */
export interface AzureOptions {
  /**
   * `'v1'`: the v1 API (`/openai/v1/chat/completions`, no `api-version`; the body's `model` names the deployment).
   * `'preview'`: the v1 API with `api-version=preview`. A dated version (`'2024-10-21'`, `'2025-04-01-preview'`): the
   * classic deployment paths (`/openai/deployments/{deployment}/chat/completions?api-version=…`). Required.
   */
  apiVersion: string;
  /**
   * Classic API only: the deployment of each model a client names (`{ 'gpt-4o': 'prod-gpt4o' }`); a model not listed
   * is its own deployment name. Defaults to `{}`.
   */
  deployments?: Record<string, string>;
}

/** Options of `openaiCompatibleProvider()`; see {@link ProviderOptions}. */
export interface OpenAICompatibleProviderOptions extends ProviderOptions {
  /** Route prefix and record `providerName` (`/{name}/v1/…`). Required. */
  name: string;
  /**
   * The server's base URL, with the path OpenAI's `/v1` sits at: `http://127.0.0.1:11434/v1` (Ollama),
   * `http://vllm:8000/v1`, `https://openrouter.ai/api/v1`. With `azure`, the resource endpoint
   * (`https://my-resource.openai.azure.com`; a trailing `/openai` or `/openai/v1` is dropped). Required.
   */
  baseURL: string;
  /**
   * Sent upstream on every request, bridged and passthrough, replacing a client's header of the same name
   * (`{ 'HTTP-Referer': 'https://my.app', 'X-Title': 'My app' }`). Not for credentials: those go in `keys`, whose
   * values are redacted everywhere; these values are not. Defaults to `{}`.
   */
  headers?: Record<string, string>;
  /** Speak Azure OpenAI: `api-key` header, Azure's paths and `api-version`. Defaults to none (plain OpenAI paths, bearer keys). */
  azure?: AzureOptions;
  /**
   * Ask for usage on streams (`stream_options.include_usage`) when the client did not. Turn off for servers that
   * refuse `stream_options` (older Azure API versions, some local servers); a stream the server then reports no usage
   * for is recorded as "not reported". Defaults to true.
   */
  includeUsage?: boolean;
}

/** The Azure options, checked. */
export interface AzureRouting {
  /** `v1` paths (`/openai/v1/…`), or the classic deployment paths. */
  readonly v1: boolean;
  /** `api-version=…`, appended to every upstream request's query; undefined for plain v1. */
  readonly apiVersionParam: string | undefined;
  readonly deployments: ReadonlyMap<string, string>;
}

/** What the factory reads besides the common options. */
export interface CompatibleOptions {
  headers: Readonly<Record<string, string>>;
  azure: AzureRouting | undefined;
  includeUsage: boolean;
}

const OWNER = 'openaiCompatibleProvider';
export const COMPATIBLE_OPTIONS = ['headers', 'azure', 'includeUsage'] as const;

// An HTTP header name (RFC 9110 token) and a value without control characters (no CR/LF: no header injection).
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const VALUE = /^[\x20-\x7e\t]*$/;
// The bridge frames bodies and sets credentials itself; the actor headers are its own too.
const NOT_STATIC = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'content-encoding', 'keep-alive', 'upgrade', 'te', 'trailer']);
const CREDENTIAL_HEADERS = new Set(['authorization', 'api-key', 'x-api-key']);
const API_VERSION = /^(v1|preview|\d{4}-\d{2}-\d{2}(-preview)?)$/;
const DEPLOYMENT = /^[A-Za-z0-9._-]{1,64}$/;

function staticHeaders(v: unknown): Record<string, string> {
  if (v === undefined) return {};
  if (!isPlainObject(v)) throw new OptionsError(OWNER, 'headers', 'must be an object of header names to string values.');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(v)) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(name)) throw new OptionsError(OWNER, `headers.${name}`, 'is not a valid header name.');
    if (typeof value !== 'string' || !VALUE.test(value)) throw new OptionsError(OWNER, `headers.${name}`, 'must be a string of printable ASCII characters (no line breaks).');
    if (NOT_STATIC.has(lower) || lower.startsWith('x-aibridge-')) throw new OptionsError(OWNER, `headers.${name}`, 'is set by the bridge itself and cannot be given.');
    if (CREDENTIAL_HEADERS.has(lower)) throw new OptionsError(OWNER, `headers.${name}`, 'carries a credential: give it in `keys` (sent as this provider\'s auth header, and redacted everywhere).');
    if (lower in out) throw new OptionsError(OWNER, `headers.${name}`, 'is given twice (header names are case-insensitive).');
    out[lower] = value;
  }
  return out;
}

function azureRouting(v: unknown): AzureRouting | undefined {
  if (v === undefined) return undefined;
  if (!isPlainObject(v)) throw new OptionsError(OWNER, 'azure', 'must be an object { apiVersion, deployments? }.');
  rejectUnknownKeys(OWNER, v, ['apiVersion', 'deployments'], 'azure.');
  const { apiVersion, deployments } = v;
  if (typeof apiVersion !== 'string' || !API_VERSION.test(apiVersion)) {
    throw new OptionsError(OWNER, 'azure.apiVersion', 'must be "v1", "preview" or a dated Azure API version such as "2024-10-21" or "2025-04-01-preview".');
  }
  const v1 = apiVersion === 'v1' || apiVersion === 'preview';
  const map = new Map<string, string>();
  if (deployments !== undefined) {
    if (v1) throw new OptionsError(OWNER, 'azure.deployments', 'applies to dated API versions only: the v1 API takes the deployment name as the request\'s `model`.');
    if (!isPlainObject(deployments)) throw new OptionsError(OWNER, 'azure.deployments', 'must be an object of model names to deployment names.');
    for (const [model, deployment] of Object.entries(deployments)) {
      if (typeof deployment !== 'string' || !DEPLOYMENT.test(deployment)) {
        throw new OptionsError(OWNER, `azure.deployments.${model}`, 'must be a deployment name (letters, digits, ".", "_", "-"; at most 64 characters).');
      }
      map.set(model, deployment);
    }
  }
  return { v1, apiVersionParam: apiVersion === 'v1' ? undefined : `api-version=${apiVersion}`, deployments: map };
}

/** Checks the factory's own options (the common ones are checked by `normalizeProviderOptions`). */
export function compatibleOptions(o: Record<string, unknown>): CompatibleOptions {
  if (typeof o.name !== 'string') throw new OptionsError(OWNER, 'name', 'is required: the route prefix (e.g. "ollama", "azure-eu").');
  if (typeof o.baseURL !== 'string') throw new OptionsError(OWNER, 'baseURL', 'is required: the server\'s URL (e.g. "http://127.0.0.1:11434/v1").');
  const azure = azureRouting(o.azure);
  if (azure && o.keys === undefined && o.credentials === undefined) throw new OptionsError(OWNER, 'keys', 'is required with `azure`: Azure OpenAI needs an API key.');
  return { headers: staticHeaders(o.headers), azure, includeUsage: optionalBoolean(OWNER, 'includeUsage', o.includeUsage, true) };
}

/**
 * The pool of a server that needs no key (vLLM, Ollama): one entry with no secret, whose attempts send no auth header;
 * records and logs show its hint, `no key`. Its id names the provider: key state is shared by id, and one keyless
 * server's cooldown (a 429 it sent) must not stop another's requests.
 */
export function keylessPool(name: string): CredentialSource {
  const entry: KeyCredential = { type: 'key', id: `no-key:${name}`, hint: 'no key', secrets: [], key: '' };
  return staticCredentials([entry]);
}
