/** The Recorder extension point and the records it receives (public contract, see DESIGN.md). */

/** What kind of upstream a provider is: the two built in, or a name a host's own provider gives itself. */
export type ProviderKind = 'openai' | 'anthropic' | (string & {});

/** Where the credential used upstream came from. */
export type CredentialKind = 'centralized' | 'byok';

export type { ErrorType } from '../errors';
import type { ErrorType } from '../errors';
import type { ContentMode } from './content-mode';

/** One bridged request, recorded when it is admitted. */
export interface InterceptionRecord {
  id: string;
  initiatorId: string;
  metadata?: Record<string, unknown>;
  provider: ProviderKind;
  providerName: string;
  route: string;
  model: string;
  /** The model the upstream was asked for, when the provider maps the client's `model` (e.g. a Bedrock model id). Absent: `model`. */
  upstreamModel?: string;
  streaming: boolean;
  startedAt: Date;
  userAgent?: string;
  client?: string;
  clientSessionId?: string;
  credentialKind: CredentialKind;
  credentialHint?: string;
  correlatingToolCallId?: string;
  /**
   * What this interception's records keep of prompts, tool arguments, tool errors and thoughts (`recordContent`):
   * `full`, `redacted`, `hashed` or `none`. Absent when the bridge has no `recordContent` (everything, as `full`).
   */
  contentMode?: ContentMode;
}

/** How an interception ended; exactly one per interception. */
export interface InterceptionEndedRecord {
  id: string;
  endedAt: Date;
  status: 'completed' | 'failed' | 'aborted';
  httpStatus?: number;
  errorType?: ErrorType;
  /** The gateway's own code for the failure (`upstream_error`, `keys_exhausted`, `forbidden`, `limit_exceeded`, …). */
  errorCode?: string;
  errorMessage?: string;
  /** The gateway's own time from the request's arrival to the head of its answer, upstream waits left out (ms). */
  gatewayMs?: number;
  /** Time from sending upstream to the upstream answer's head, summed over the attempts made before the client's head (ms); absent when no upstream was called. */
  upstreamFirstByteMs?: number;
  /** Masked key actually used last (e.g. `sk-a...wxyz`). */
  credentialHint?: string;
  /** Every upstream attempt, in order (failovers are the ones before the last). */
  attempts?: UpstreamAttempt[];
  /** What a guard edited before it went on: `request` (the body sent upstream), `response` (the answer relayed). Absent: nothing. */
  guardEdits?: Array<'request' | 'response'>;
  /**
   * Original sizes, in UTF-8 bytes, of texts cut at `maxRecordedTextBytes` (`{ errorMessageBytes: 31457280 }`), and
   * `usageNotReported`: how many upstream calls answered without usage (they have no token record: unknown, not
   * zero). Absent when there is neither.
   */
  extra?: Record<string, number>;
}

/** One upstream call made for an interception, as the key walk saw it. */
export interface UpstreamAttempt {
  /** Masked key used. */
  credentialHint: string;
  /** The upstream's status; absent when no answer came (transport failure, abort). */
  httpStatus?: number;
  errorType?: ErrorType;
  durationMs: number;
}

/** One proxied passthrough call (`GET /models`, …). */
export interface PassthroughRecord {
  id: string;
  initiatorId: string;
  providerName: string;
  method: string;
  /** Route path under the provider prefix, without the query string. */
  path: string;
  httpStatus: number;
  durationMs: number;
  credentialHint?: string;
  createdAt: Date;
}

/** Tokens of one upstream response. `input` excludes cached tokens. */
export interface TokenUsageRecord {
  interceptionId: string;
  msgId: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  extra?: Record<string, number>;
  createdAt: Date;
}

/** The last user prompt of a request. */
export interface PromptUsageRecord {
  interceptionId: string;
  msgId: string;
  prompt: string;
  /** Original sizes, in UTF-8 bytes, of texts cut at `maxRecordedTextBytes` (`{ promptBytes: 31457280 }`); absent when nothing was cut. */
  extra?: Record<string, number>;
  createdAt: Date;
}

/** A tool call made by the model: client-defined (`injected: false`) or injected and run by the bridge. */
export interface ToolUsageRecord {
  interceptionId: string;
  msgId: string;
  tool: string;
  toolCallId: string;
  serverUrl?: string;
  args: unknown;
  injected: boolean;
  invocationError?: string;
  /** Original sizes, in UTF-8 bytes, of texts cut at `maxRecordedTextBytes` (`{ argsBytes: 31457280 }`); absent when nothing was cut. */
  extra?: Record<string, number>;
  createdAt: Date;
}

/** Reasoning the model exposed (thinking blocks, reasoning summaries, commentary). */
export interface ModelThoughtRecord {
  interceptionId: string;
  msgId: string;
  content: string;
  source: 'thinking' | 'reasoning_summary' | 'commentary';
  /** Original sizes, in UTF-8 bytes, of texts cut at `maxRecordedTextBytes` (`{ contentBytes: 31457280 }`); absent when nothing was cut. */
  extra?: Record<string, number>;
  createdAt: Date;
}

/**
 * Receives what the bridge observed. Methods may be sync or async; the bridge never waits for them
 * on the response path, and a throwing recorder is logged and counted, never surfaced to clients.
 */
export interface Recorder {
  recordInterception(r: InterceptionRecord): void | Promise<void>;
  recordInterceptionEnded(r: InterceptionEndedRecord): void | Promise<void>;
  recordTokenUsage(r: TokenUsageRecord): void | Promise<void>;
  recordPromptUsage(r: PromptUsageRecord): void | Promise<void>;
  recordToolUsage(r: ToolUsageRecord): void | Promise<void>;
  recordModelThought?(r: ModelThoughtRecord): void | Promise<void>;
  recordPassthrough?(r: PassthroughRecord): void | Promise<void>;
  /** Flush what is pending and release resources. */
  close?(): Promise<void>;
}
