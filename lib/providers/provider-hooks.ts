/** The seams a provider uses to speak to an upstream of its own: each attempt's request, the route's upstream path, the answer's framing. */
import type { ApiAdapter, ApiCall } from '../apis/api';
import type { UpstreamResponse } from '../http/upstream-client';
import type { Credential } from '../keypool/key-pool';

/** One upstream attempt as a provider's request hook sees it, and returns it. */
export interface OutgoingRequest {
  method: string;
  /** The upstream path, the base URL's path included, without the query string. */
  path: string;
  /** The client's query string without its `?`; `''` when there is none. */
  query: string;
  /** The headers the bridge sends: the header rule's, the provider's defaults and the attempt's credential headers (names lower-case). */
  headers: Record<string, string | string[]>;
  /** The body bytes; empty for a bodyless passthrough request (then none is sent unless the hook returns some). */
  body: Buffer;
}

/** What a request hook knows about the attempt. */
export interface RequestHookContext {
  /** The attempt's credential, as the key pool (or the client, with BYOK) gives it. */
  readonly credential: Credential;
  /** The attempt's time: each attempt (failover, each call of the tool loop) gets its own. */
  readonly now: Date;
  /** Aborted when the client goes away or the bridge shuts down. */
  readonly signal: AbortSignal;
  /** The bridged API the attempt is for; absent on passthrough routes. */
  readonly api?: ApiAdapter;
}

/**
 * Rewrites each upstream attempt just before it is sent (e.g. signs it with the current time). Called once per
 * attempt: every failover attempt and every call of the tool loop, bridged and passthrough alike, after the header
 * rule and the credential headers were applied. May return the same object, changed. A throw or rejection ends the
 * request: with a `500` (logged), or as the `GatewayError` thrown says.
 */
export type RequestHook = (request: OutgoingRequest, ctx: RequestHookContext) => OutgoingRequest | Promise<OutgoingRequest>;

/** What an upstream path mapping knows about the request. */
export interface UpstreamPathContext {
  readonly api: ApiAdapter;
  /** The prepared call (`model`, `streaming`). Its values come from the client: percent-encode what goes into the path. */
  readonly call: ApiCall;
  /** The path the bridge would use: the API's route without the provider's `routePrefixInBaseURL`. */
  readonly path: string;
}

/**
 * The upstream path of one bridged request, relative to the base URL's path and starting with `/` (e.g.
 * `/model/{model}/invoke-with-response-stream` for `/v1/messages`). A path that could be read as another one (dot
 * segments, encoded separators) is refused with a `400`. The client's query string is appended to it.
 *
 * Or the path as its segments, not yet encoded (`['model', 'arn:aws:bedrock:…:inference-profile/us.x', 'invoke']`):
 * the bridge percent-encodes each one whole (a `/` inside a segment becomes `%2F`, as an upstream that takes ARNs in
 * its path wants) after refusing a segment that is empty or holds dot segments, backslashes, `;` or control
 * characters, however it is read.
 */
export type UpstreamPathMapping = (ctx: UpstreamPathContext) => string | readonly string[];

/** What a response decoder knows about the answer. */
export interface DecodeContext {
  readonly api: ApiAdapter;
  readonly call: ApiCall;
}

/**
 * Turns an upstream answer in the provider's own framing into the API's: a stream into the API's SSE bytes (with a
 * `text/event-stream` content type), an error body of another shape into the API's error body. Runs on the answer
 * the key walk settled on, before anything reads it (observers, the tool loop, recording, redaction). Must bound what
 * it holds: no event larger than `MAX_EVENT_BYTES`. See `decodedStream` and `rewrittenBody` to build the result.
 */
export type ResponseDecoder = (response: UpstreamResponse, ctx: DecodeContext) => UpstreamResponse;

/**
 * Looks at each attempt's answer inside the key walk, before it is judged: may answer a `200` whose body opens with a
 * failure (a stream whose first frame is an exception) with that failure as the upstream would have sent it as a plain
 * HTTP error (its status, headers and a peekable body), so that the credential is cooled and the next one tried like
 * for any refusal. Must hand back any bytes it read (the answer it returns replays them) and bound what it holds.
 */
export type ResponseScreen = (response: UpstreamResponse) => UpstreamResponse | Promise<UpstreamResponse>;
