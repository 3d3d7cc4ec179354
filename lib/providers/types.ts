/** What a provider adapter is: data and small functions that the shared pipeline uses instead of branching on names. */
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayError } from '../errors';
import type { ApiAdapter, ApiCall } from '../apis/api';
import type { ProviderTimeouts } from '../http/upstream-client';
import type { ProviderCooldowns } from '../keypool/types';
import type { CredentialSource, UpstreamCredential } from '../keypool/credentials';
import type { CredentialKind, ProviderKind } from '../recorder/types';
import type { FailureClassifier } from '../keypool/failure-table';
import type { NamedId } from '../ownership/stored-state';
import type { OwnedKind } from '../ownership/types';
import type { ErrorShape } from '../apis/error-shape';
import type { RequestHook, ResponseDecoder, ResponseScreen, UpstreamPathMapping } from './provider-hooks';



/** Options common to every provider factory. */
export interface ProviderOptions {
  /** Route prefix and record `providerName`; `^[a-z0-9]+(-[a-z0-9]+)*$`, unique per bridge. Defaults to the provider kind. */
  name?: string;
  /** Upstream base URL. Defaults to the provider's public API. */
  baseURL?: string;
  /** Centralized key pool, tried in order. Required unless `byok` is true or `credentials` is given. Defaults to `[]`. */
  keys?: string[];
  /**
   * The centralized pool as credential objects instead of `keys` (give one of the two): a list tried in order (e.g.
   * `[staticKey('sk-…')]`), or a {@link CredentialSource} asked for each entry's current credential at attempt time
   * (e.g. `refreshingCredentials()` for tokens exchanged and refreshed before expiry). Every credential's `secrets`
   * are redacted and its `hint` is what records and logs show; key state is kept per credential `id`.
   * Defaults to none (the pool is `keys`).
   */
  credentials?: CredentialSource | UpstreamCredential[];
  /** Use the client's own credential (one attempt, no failover) when it sends one. Defaults to false. */
  byok?: boolean;
  /** Send `x-aibridge-actor-id` and `x-aibridge-actor-metadata-*` headers upstream. Defaults to false. */
  actorHeaders?: boolean;
  /** Upstream timeouts. */
  timeouts?: ProviderTimeouts;
  /** Key cooldowns. */
  cooldowns?: ProviderCooldowns;
  /** Passthrough routes to add to or remove from the provider's allowlist, or a function returning the whole list. Defaults to the provider's own list. */
  passthrough?: PassthroughOption;
}

/** One allowlisted route as a host writes it. */
export interface PassthroughRouteSpec {
  /** HTTP methods (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD`). */
  methods: string[];
  /** Route path under the provider prefix: `/v1/files`, `/v1/files/:id` (one segment), `/v1/vector_stores/*` (the path and below). */
  pattern: string;
  /** Stored state its first `:param` names, whose owner is checked (pool keys). Defaults to none. */
  owns?: OwnedKind;
  /** Stored state its successful answer's `id` creates, owned by the actor. Defaults to none. */
  creates?: OwnedKind;
}

/**
 * The `passthrough` option of a provider factory: routes to add to or remove from the provider's defaults (removed
 * by their `pattern` as written, e.g. `/v1/models/:id`), or a function from the defaults to the full list
 * (`() => []` closes every passthrough route). Defaults to the provider's own list.
 */
export type PassthroughOption =
  | { add?: PassthroughRouteSpec[]; remove?: string[] }
  | ((defaults: readonly PassthroughRule[]) => readonly PassthroughRule[]);

/** An allowlisted passthrough route. */
export interface PassthroughRule {
  methods: ReadonlySet<string>;
  /** As written (`/v1/models/:id`): names the route in logs and in the key pool's per-route state. */
  readonly pattern: string;
  /** Tests the route path (relative to the provider prefix, without the query string). */
  matches(path: string): boolean;
  /** The stored-state id the path names (its first `:param`, decoded), whose owner is checked. Absent: none. */
  owned?(path: string): NamedId | undefined;
  /** What a successful answer of this route creates (its top-level `id`), owned by the actor. Absent: nothing. */
  readonly creates?: OwnedKind;
  /**
   * The stored-state ids the request body names (e.g. a conversation's `items` referencing output items), whose
   * owners are checked too. Throws a `JsonEditError` for a body it cannot read (refused). Absent: none.
   */
  namedInBody?(raw: Buffer): NamedId[];
}

/** A client's own key (BYOK) and the headers that carry it upstream. */
export interface ClientCredential {
  key: string;
  headers: Record<string, string>;
}

/**
 * A validated provider, as the bridge uses it. The factories build one; a host may write its own (e.g. spread a
 * factory's result and add the hooks below). Its error shape (`errorBody`, `errorType`) is the one its passthrough
 * routes and provider-level refusals speak; bridged routes speak their API's ({@link ApiAdapter.errors}).
 */
export interface ProviderAdapter extends ErrorShape {
  /** What kind of upstream it is, recorded with each interception: `openai`, `anthropic` or a name of the host's (`^[a-z0-9]+(-[a-z0-9]+)*$`, at most 64 characters). */
  readonly kind: ProviderKind;
  readonly name: string;
  /** Without a trailing slash. */
  readonly baseURL: string;
  /** The `keys` option as given (empty when the pool is `credentials`); the bridge uses {@link credentials}. */
  readonly keys: readonly string[];
  /** The centralized pool's credentials (`keys` become static key credentials). */
  readonly credentials: CredentialSource;
  readonly byok: boolean;
  readonly actorHeaders: boolean;
  readonly timeouts: Required<ProviderTimeouts>;
  readonly cooldowns: Required<ProviderCooldowns>;
  readonly passthrough: readonly PassthroughRule[];
  /** Part of the route path the upstream base URL already contains (`/v1` for OpenAI, none for Anthropic). */
  readonly routePrefixInBaseURL: string;
  /**
   * Request headers carrying a credential upstream: a pool credential (`centralized`, with the provider's account
   * headers such as OpenAI's organization and project) or the client's own (`byok`, the key alone). The adapter reads
   * the fields of the credential `type` it supports and throws on another.
   */
  credentialHeaders(credential: UpstreamCredential, kind: CredentialKind): Record<string, string>;
  /** The credential a client sent, if any (used for BYOK), with the headers it goes upstream in (the form the client used). */
  clientCredential(headers: IncomingHttpHeaders): ClientCredential | undefined;
  /** Request headers the upstream needs, added only when the client did not send them (names lower-case). */
  readonly defaultHeaders?: Readonly<Record<string, string>>;
  /** A gateway error as this provider's JSON error body. */
  errorBody(error: GatewayError): string;
  /** The provider's own `error.type` for a gateway error (e.g. `rate_limit_error`). */
  errorType(error: GatewayError): string;
  /** Rewrites each upstream attempt before it is sent (e.g. signs it). Defaults to none: the request goes as built. */
  readonly prepareRequest?: RequestHook;
  /** The upstream path of a bridged request. Defaults to the API's route without `routePrefixInBaseURL`. */
  readonly upstreamPath?: UpstreamPathMapping;
  /**
   * The model the upstream is asked for, when the provider maps the name the client gave (e.g. to a Bedrock model id);
   * recorded as `InterceptionRecord.upstreamModel`. Defaults to none: the client's model is the upstream's.
   */
  readonly upstreamModel?: (call: ApiCall) => string | undefined;
  /** Turns the provider's answer framing into the API's (bridged routes only). Defaults to none: answers are read as they come. */
  readonly decodeResponse?: ResponseDecoder;
  /** Turns an attempt's `200` that opens with a failure into that failure, for the key walk (bridged routes only). Defaults to none. */
  readonly screenResponse?: ResponseScreen;
  /** Whether a 401/403/429 is the key's failure or the request's own fault, from its headers and first body bytes. */
  classifyFailure: FailureClassifier;
  /**
   * Upstream statuses the circuit breaker counts as the upstream's failure besides `503` and `529` (e.g. Bedrock's
   * `429`: its quota is the account's, which another key seldom lifts). Defaults to none.
   */
  readonly circuitFailureStatuses?: ReadonlySet<number>;
}

/** A provider adapter together with the APIs it bridges: what `openaiProvider()` / `anthropicProvider()` return. */
export interface BridgedProvider extends ProviderAdapter {
  /** Bridged (intercepted) APIs. */
  readonly apis: readonly ApiAdapter[];
}

export type { ProviderCooldowns, ProviderTimeouts };
