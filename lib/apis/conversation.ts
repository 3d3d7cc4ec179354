/** What an API gives the relay (the tool loop, with or without injected tools): a conversation that builds each upstream body and reads each answer. */
import type { UpstreamReportedError } from '../errors';
import type { RecordSink } from '../recorder/record-sink';
import type { KeyScrub } from '../redaction/redactor';
import type { FailureLog, NumberedStream, StreamErrorSource } from '../streaming/stream-failure';
import type { UpstreamResponse } from '../http/upstream-client';
import type { SseEvent } from '../streaming/sse-decoder';
import type { ModelThoughtRecord, TokenUsageRecord } from '../recorder/types';
import type { InjectedTool, ToolCallResult, ToolContext, ToolInjector } from '../tools/types';
import type { AccumulationBudget } from '../streaming/accumulation-budget';
import type { CreatedResponses } from '../ownership/ownership-guard';

/** Token counts as recorded (`input` without cached tokens). */
export type TokenCounts = Pick<TokenUsageRecord, 'input' | 'output' | 'cacheRead' | 'cacheWrite' | 'extra'>;

/** A tool call the model made in one turn. */
export interface TurnToolCall {
  id: string;
  /** The name the model used (for injected tools, the name the bridge showed it). */
  name: string;
  /** The arguments as the model wrote them (JSON text, possibly invalid). */
  arguments: string;
  /** True when the bridge injected this tool and runs it; false for the client's own tools. */
  injected: boolean;
  /** The upstream ran it already (a hosted tool): recorded, but neither the client's nor the bridge's to run. */
  ranUpstream?: boolean;
}

/** One upstream answer, read into what the loop and the records need, whatever the API. */
export interface Turn {
  msgId: string;
  /** The model the upstream says answered (cut at 256 characters); absent when the answer names none. */
  model?: string;
  usage: TokenCounts | undefined;
  toolCalls: TurnToolCall[];
  thoughts: Array<{ content: string; source: ModelThoughtRecord['source'] }>;
}

/** An injected call the bridge ran (or refused), as the next upstream call tells the model. */
export interface ToolOutcome {
  call: TurnToolCall;
  result: ToolCallResult;
}

/**
 * Watches one streamed upstream call: decides per event what the client gets and accumulates what is recorded.
 * Without injected tools nothing is held: every event goes as it came but for what the bridge itself caused.
 */
export interface StreamObserver {
  /**
   * The bytes the client gets now for this event: its raw bytes (forwarded unchanged, zero-copy), rewritten bytes,
   * or `undefined` when the event is hidden (an injected call's deltas, a chunk the bridge caused) or held (the
   * loop's terminal phase, released by {@link Conversation.streamTail}).
   */
  accept(event: SseEvent): Buffer | undefined;
  /** The API's terminal event arrived. */
  readonly completed: boolean;
  readonly upstreamError: UpstreamReportedError | undefined;
  /** What this call produced. */
  turn(): Turn;
  /**
   * What must be done before the loop goes on or answers (the owner of the items this call created written);
   * undefined when nothing is. A rejection fails the stream.
   */
  settle?(): Promise<void> | undefined;
  /**
   * Events the observer withheld (`accept` returned undefined) until something outside the stream is done, e.g. the
   * owner of the items they complete written: the relay writes the bytes once this resolves, before anything later,
   * and fails the stream if it rejects. Undefined when nothing is withheld (checked after every chunk).
   */
  release?(): Promise<Buffer> | undefined;
}

/**
 * One client request's conversation with the upstream. Without injected tools it is one call with the client's
 * body. With them, iteration 0's body is the client's bytes plus the injected tools; each later body appends the
 * model's turn and the tool results. Client fields are never re-serialised: bodies are built by byte edits.
 */
export interface Conversation extends NumberedStream {
  /** Body of the next upstream call. */
  body(): Buffer;
  /** A blocking 2xx answer as a turn; `undefined` when it cannot be read (it is then relayed as it is). */
  readAnswer(answer: Buffer): Turn | undefined;
  /** An observer for the next streamed call; `iteration` 0 is the first upstream call of the request. */
  observe(iteration: number): StreamObserver;
  /** Appends the model's turn and the outcomes of its injected calls for the next call. */
  continueWith(turn: Turn, outcomes: readonly ToolOutcome[]): void;
  /** Later calls go without the injected tools (the iteration cap was reached). */
  dropInjectedTools(): void;
  /** The client's one blocking answer: the last answer, its usage summed over every call of the loop. */
  finalAnswer(last: Buffer): Buffer;
  /** The held terminal events of the last streamed call, rewritten to cover the whole loop (empty when nothing was held). */
  streamTail(last: StreamObserver): Buffer;
}

/**
 * Builds a conversation for a request once the tools to inject (possibly none) are known; `budget` bounds what its observers keep;
 * `created` owns what its streamed calls create (when the upstream stores it, with a pool key).
 */
export type ConversationFactory = (tools: readonly InjectedTool[], budget?: AccumulationBudget, created?: CreatedResponses) => Conversation;

/**
 * What the loop reads of the interception (an Interception is one): its upstream calls, redaction, records,
 * and the API's error event. Declared here so that the loop depends on what it uses, not on the pipeline.
 */
export interface LoopInterception extends RecordSink, FailureLog, StreamErrorSource {
  readonly signal: AbortSignal;
  readonly scrub: KeyScrub;
  readonly toolContext: ToolContext;
  readonly call: { readonly streaming: boolean };
  /** The budgets this request's usage counts against; absent when none covers it. */
  readonly limits?: {
    readonly readsUsage: boolean;
    spend(usage: TokenCounts): void;
    /** Whether a budget is spent once `next` (a turn not counted yet) is. */
    exhausted(next?: TokenCounts): Promise<boolean>;
    /** Present when a budget is enforced during streams: its refusal once spent. */
    readonly duringStream?: () => Error | undefined;
  };
  /** The bridge's injector and the limits the loop keeps. */
  readonly bridge: {
    readonly tools: ToolInjector | undefined;
    /** Off: a blocking answer without injected tools is relayed unread. */
    readonly recorder: { readonly enabled: boolean };
    /** Present when metrics are on: answers are then read for their tokens even when nothing records them. */
    readonly metrics?: object;
    /** Present when tracing is on: answers are then read for their tokens too. */
    readonly tracing?: object;
    readonly maxBodyBytes: number;
    readonly maxToolResultBytes: number;
    readonly streamKeepAliveMs: number;
  };
  /** One upstream call (key walk and failover included). */
  send(body: Buffer): Promise<UpstreamResponse>;
  /** A whole upstream body, bounded and redacted. */
  readBody(upstream: UpstreamResponse): Promise<Buffer>;
  /** Answers the client with a whole upstream body; a promise when a guard reads it first (it may then throw the guard's refusal). */
  answer(upstream: Pick<UpstreamResponse, 'status' | 'headers'>, body: Buffer): void | Promise<void>;
}
