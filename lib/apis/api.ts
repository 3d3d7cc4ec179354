/** What a bridged API (chat completions, responses, messages) provides to the shared interception pipeline. */
import type { JsonObject } from '../json/parse-object';
import type { SseEvent } from '../streaming/sse-decoder';
import type { StreamError, UpstreamReportedError } from '../errors';
import type { RecordSink } from '../recorder/record-sink';
import type { ConversationFactory } from './conversation';
import type { AccumulationBudget } from '../streaming/accumulation-budget';
import type { StoredStateRules } from '../ownership/stored-state';
import type { CreatedResponses } from '../ownership/ownership-guard';
import type { NumberedStream } from '../streaming/stream-failure';
import type { ErrorShape } from './error-shape';

export type { ErrorShape, JsonObject, RecordSink, StreamError, UpstreamReportedError };


/** Watches a relayed stream: decides which events the client sees and accumulates what gets recorded. */
export interface StreamObserver extends NumberedStream {
  /**
   * The bytes the client gets for this event: its raw bytes (forwarded unchanged, zero-copy), other bytes (a
   * byte-level edit, e.g. removing a field the bridge caused), or `undefined` (withheld).
   */
  accept(event: SseEvent): Buffer | undefined;
  /** True once the API's terminal event arrived (e.g. `[DONE]`); a stream ending before that was cut. */
  readonly completed: boolean;
  /** Set when the upstream sent an error event. */
  readonly upstreamError: UpstreamReportedError | undefined;
  /** Records usage and tool calls; called once, however the stream ended. */
  finish(): void;
  /**
   * Events the observer withheld (`accept` returned undefined) until something outside the stream is done, e.g. the
   * owner of the items they complete written: the relay writes the bytes once this resolves, before anything later,
   * and fails the stream if it rejects. Undefined when nothing is withheld (checked after every chunk).
   */
  release?(): Promise<Buffer> | undefined;
}

/** One client request to a bridged API, validated and prepared for the upstream. */
export interface ApiCall {
  readonly model: string;
  readonly streaming: boolean;
  /** Bytes sent upstream: the client's own bytes when nothing had to be added. */
  readonly upstreamBody: Buffer | string;
  /** The last user prompt, if there is one. */
  readonly prompt: string | undefined;
  /** Id of the last tool result the client sent back (links this interception to the one that made the call). */
  readonly correlatingToolCallId?: string;
  /** Names of the client's own tools (an injected tool of the same name is left out). Absent: none. */
  clientToolNames?(): readonly string[];
  /** The tool loop's view of this request; absent when the API cannot inject tools. */
  readonly conversation?: ConversationFactory;
  /** Records usage and tool calls of a blocking 2xx JSON answer. */
  recordBlocking(answer: unknown, sink: RecordSink): void;
  /**
   * Starts watching a streamed answer; `budget` bounds what the observer keeps for this interception; `created`
   * (when the upstream stores what this request creates with a pool key) owns what the stream creates.
   */
  observeStream(sink: RecordSink, budget?: AccumulationBudget, created?: CreatedResponses): StreamObserver;
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
