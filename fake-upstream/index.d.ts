/** Types of the fake upstream (OpenAI chat and Responses, Anthropic Messages; plain CommonJS in index.js), for the TypeScript tests. */
import type http from 'node:http';

/** One request as the fake received it. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The body as UTF-8 text. */
  body: string;
  /** The body parsed as JSON; undefined when empty or not JSON. Typed loosely: tests read whatever they sent. */
  json: any;
  /** Resolves if the client side closed this request's connection before the response finished. */
  closedEarly: Promise<void>;
}

/**
 * What the fake does for one request, before its routes: answer on `res`, or return `'default'` to let the
 * routes answer. Runs after the credential checks.
 */
export type Behaviour = (req: ReceivedRequest, res: http.ServerResponse) => void | 'default' | Promise<void | 'default'>;

export interface FakeUpstreamOptions {
  /**
   * Credentials the fake accepts (OpenAI: `Authorization: Bearer <key>`; Anthropic: `x-api-key: <key>`, else
   * `Authorization: Bearer <key>`); any other gets the API's 401. Defaults to accepting any.
   */
  keys?: string[];
  /** Credentials answered with the API's 429 and `retry-after: retryAfterSeconds`, on every route. Defaults to none. */
  rateLimitedKeys?: string[];
  /** The `retry-after` of those 429s, in seconds. Defaults to 3600. */
  retryAfterSeconds?: number;
  /** Pause between streamed events, in ms (the bench's `bench-s<chunks>-d<delayMs>` models bring their own). Defaults to 0: all at once. */
  chunkDelayMs?: number;
  /** Port on 127.0.0.1. Defaults to 0: a free one. */
  port?: number;
  /** Default chat-completions answers quote the last user message (word-counted usage, the request's model) instead of replaying the transcript (other APIs: no effect). Defaults to false. */
  echo?: boolean;
  /** Keep every request in `requests`. Defaults to true; the bench turns it off. */
  recordRequests?: boolean;
  /** Larger request bodies get the API's 413. Defaults to 32 MiB. */
  maxBodyBytes?: number;
  /** The initial `behaviour`. Defaults to none. */
  behaviour?: Behaviour;
}

export interface FakeUpstream {
  /** `http://127.0.0.1:<port>/v1`, what an OpenAI client takes as `baseURL`. */
  url: string;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Every request received, in order (empty with `recordRequests: false`). */
  requests: ReceivedRequest[];
  /** Resolves when the fake sees a client connection close before its response finished. */
  closedEarly: Promise<void>;
  /** Consulted on every request; assign to change what the fake does. */
  behaviour: Behaviour | undefined;
  /**
   * Requests to the Anthropic API without `anthropic-version` (the real API answers them 400; the fake accepts them
   * but notes them here, unless `recordRequests` is off).
   */
  missingHeaders: Array<{ header: string; method: string; url: string }>;
  /** Streamed answers of the routes (not of behaviours): open now, run to the end, cut short by the client. */
  streams: { active: number; completed: number; closedEarly: number };
  close(): Promise<void>;
}

/**
 * Starts the fake on 127.0.0.1. Before any behaviour it refuses (400, in the API's shape) what the real APIs refuse
 * about tools: two tools of one name, a `tool_choice` without tools, or one naming a tool not given. OpenAI routes: `POST /v1/chat/completions` (scripted tool turns, then
 * `bench-s<chunks>-d<delayMs>` stream shapes, then the transcripts or the echo answer), `POST /v1/responses`
 * (scripted function calls, bench shapes, transcripts), `GET /v1/models`, `GET /v1/models/:id`,
 * `/v1/conversations…` (echoes the body). Anthropic routes: `POST /v1/messages` (scripted tool_use turns, bench
 * shapes, transcripts), `POST /v1/messages/count_tokens` (word count), and `GET /v1/models[/:id]` for requests that
 * carry `x-api-key` or `anthropic-version`. Anything else is the 404 of the API the request looks like.
 */
export function startFakeUpstream(options?: FakeUpstreamOptions): Promise<FakeUpstream>;

export interface ScriptedToolCall {
  id: string;
  name: string;
  /** Raw arguments text (may be invalid JSON on purpose). */
  arguments: string;
}

export interface ScriptStep {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  /** Defaults to 10 prompt and 5 completion tokens. */
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** Answer with this status and error body instead. */
  error?: { status: number; message: string; headers?: Record<string, string> };
}

/**
 * A behaviour that answers chat-completions calls with `steps` in order (the last one repeats), blocking or
 * streamed as asked. Ids are `chatcmpl-step<N>`; `calls` holds the requests it answered.
 */
export function chatScript(steps: ScriptStep[] | ((req: ReceivedRequest, n: number) => ScriptStep)): Behaviour & { calls: ReceivedRequest[] };

/** An injected tool the fake calls when offered (and, with `when`, asked for), until the conversation holds a result. */
export interface ScriptedTool {
  when?: RegExp;
  arguments: string | ((question: string) => string);
  quote?: boolean;
}
export const SCRIPTED_TOOLS: Readonly<Record<string, ScriptedTool>>;

/** The default blocking answer (`transcripts/openai/chat-completion.http`), with `overrides` on top. */
export function chatCompletion(overrides?: Record<string, unknown>): Record<string, any>;
/** The `data:` payloads of the default streamed answer, `[DONE]` included; with `usage: null` and a usage chunk when `includeUsage`. */
export function textStreamEvents(includeUsage: boolean): string[];
/** Writes `events` (payloads) as a 200 SSE answer with the default stream's headers. */
export function writeSse(res: http.ServerResponse, events: string[]): void;
/** One `chat.completion.chunk` with the transcripts' id, time and model. */
export function chunk(delta: Record<string, unknown>, finish?: string | null, extra?: Record<string, unknown>): Record<string, unknown>;
/** The id of the transcripts' answers. */
export const COMPLETION_ID: string;
/** A parsed `.http` transcript; `events` (each ending with its blank line) only for `text/event-stream` bodies. */
export interface Transcript {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  events: Buffer[] | undefined;
}
/** The transcripts of `api` (a folder under transcripts/), by file name without extension: `.http` parsed, `.txt` as text. */
export function loadTranscripts(api: string): Record<string, Transcript | string>;
/** Parses one `.http` transcript (status line, headers, blank line, body); `file` names it in errors. */
export function parseHttp(text: string, file: string): Transcript;

/** One tool_use block of a scripted Anthropic step. */
export interface AnthropicToolCall {
  id: string;
  name: string;
  /** The input as JSON text (cut on purpose for a `max_tokens` stop). */
  input: string;
}

/** One scripted Anthropic Messages answer. */
export interface AnthropicStep {
  /** Replay this transcript of `transcripts/anthropic/` (streamed requests only). */
  fixture?: string;
  thinking?: string;
  text?: string;
  toolCalls?: AnthropicToolCall[];
  /** Defaults to 10 input and 5 output tokens. */
  usage?: { input_tokens: number; output_tokens: number };
  /** Defaults to `tool_use` with tool calls, else `end_turn`. */
  stopReason?: string;
  /** Answer with this status and an Anthropic error body instead. */
  error?: { status: number; type: string; message: string; headers?: Record<string, string> };
}

/**
 * A behaviour answering `POST /v1/messages` with `steps` in order (the last one repeats; ids `msg_step<N>`) and
 * `POST /v1/messages/count_tokens` with 42 tokens. Streams are written in two chunks cut mid-event.
 */
export function anthropicScript(steps: AnthropicStep[] | ((req: ReceivedRequest, n: number) => AnthropicStep)): Behaviour & { calls: ReceivedRequest[] };
/** The blocking answer `anthropicScript` sends for `step` as its `n`th call. */
export function anthropicMessage(step: AnthropicStep, n: number): Record<string, unknown>;
/** The SSE text `anthropicScript` sends for `step` as its `n`th call. */
export function anthropicStream(step: AnthropicStep, n: number): string;
/** The text of `transcripts/anthropic/<name>.sse`, byte for byte. */
export function anthropicTranscript(name: string): string;
/** Writes `text` as a 200 event stream in two chunks cut mid-event, with `request-id: requestId` (defaults to `req_fx`). */
export function writeAnthropicSse(res: http.ServerResponse, text: string, requestId?: string): void;

/** One scripted Responses answer. */
export interface ResponsesStep {
  /** Replay this transcript of `transcripts/responses/` (streamed) or its final response (blocking); the other fields are then ignored. */
  fixture?: string;
  reasoning?: string;
  text?: string;
  toolCalls?: ScriptedToolCall[];
  /** Defaults to 10 input and 5 output tokens, none cached. */
  usage?: { input_tokens: number; output_tokens: number; cached_tokens?: number };
  /** Answer with this status and an OpenAI error body instead. */
  error?: { status: number; message: string; headers?: Record<string, string> };
  /** Stop after this many events without a terminal event (a cut stream). */
  cutAfter?: number;
}

/** A behaviour answering `POST /v1/responses…` with `steps` in order (the last one repeats; ids `resp_step<N>`). */
export function responsesScript(steps: ResponsesStep[] | ((req: ReceivedRequest, n: number) => ResponsesStep)): Behaviour & { calls: ReceivedRequest[] };
/** The bytes of `transcripts/responses/<name>.sse`. */
export function responsesTranscript(name: string): Buffer;
/** The `response` of that transcript's terminal event (what a blocking call answers). */
export function transcriptResponse(name: string): Record<string, any>;
