/** What a bridged API (chat completions, responses, messages) provides to the shared interception pipeline. */
import type { JsonObject } from '../json/parse-object';
import type { StreamError, UpstreamReportedError } from '../errors';
import type { RecordSink } from '../recorder/record-sink';
import type { ConversationFactory, StreamObserver } from './conversation';
import type { StoredStateRules } from '../ownership/stored-state';
import type { ErrorShape } from './error-shape';

export type { ErrorShape, JsonObject, RecordSink, StreamError, StreamObserver, UpstreamReportedError };

/** One client request to a bridged API, validated and prepared for the upstream. */
export interface ApiCall {
  readonly model: string;
  readonly streaming: boolean;
  /** The last user prompt, if there is one. */
  readonly prompt: string | undefined;
  /** Id of the last tool result the client sent back (links this interception to the one that made the call). */
  readonly correlatingToolCallId?: string;
  /** Names of the client's own tools (an injected tool of the same name is left out). Absent: none. */
  clientToolNames?(): readonly string[];
  /** Whether the body carries tools of its own (named or not, e.g. a hosted tool). Absent: none. */
  readonly clientHasTools?: boolean;
  /**
   * The request's conversation with the upstream, through which every call goes: its bodies (the client's bytes
   * when nothing is injected), its answers read into turns, its stream observers.
   */
  readonly conversation: ConversationFactory;
  /** False when this request cannot take injected tools (e.g. it forbids tool calls). Defaults to true. */
  readonly takesTools?: boolean;
}

/** A bridged API route of a provider. */
export interface ApiAdapter {
  /** Its name in `bridge.handler(provider, name)`, e.g. `messages`. */
  readonly name: string;
  /** Route path under the provider prefix, e.g. `/v1/chat/completions`. */
  readonly route: string;
  /**
   * Its wire family's error body and `error.type` vocabulary: a gateway error on this route (before or during a
   * stream) is worded this way, whichever provider carries it.
   */
  readonly errors: ErrorShape;
  /** Validates the parsed JSON body and prepares the upstream call, or returns a message saying what is wrong. */
  prepare(body: JsonObject, raw: Buffer): ApiCall | string;
  /** The protocol's error event, written when a stream fails after it began. */
  streamErrorEvent(error: StreamError): string;
  /** Bytes written to a stream while an injected tool runs. Defaults to an SSE comment (`: keep-alive`). */
  readonly keepAliveEvent?: Buffer;
  /** The upstream-stored state requests name and answers create, whose owners the bridge checks. Absent: none. */
  readonly storedState?: StoredStateRules;
}
