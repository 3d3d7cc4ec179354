/** Types of the test kit's public API (`express-aibridge/testing`): the fake upstream's options, the running fake, scripted steps. */
import type http from 'node:http';

/** One request as the fake received it. */
export interface ReceivedRequest {
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The body as UTF-8 text. */
  body: string;
  /**
   * The body parsed as JSON; undefined when empty or not JSON. Typed loosely on purpose: a test reads back the
   * fields it sent (`json.messages`, `json.tools`) without restating the provider's request types.
   */
  json: any;
  /** Resolves if the client side closed this request's connection before the response finished. */
  closedEarly: Promise<void>;
}

/**
 * What the fake does for one request, before its routes: answer on `res`, or return `'default'` to let the
 * routes answer. Runs after the credential checks. {@link script}-style helpers build one from steps.
 */
export type Behaviour = (req: ReceivedRequest, res: http.ServerResponse) => void | 'default' | Promise<void | 'default'>;

/** A behaviour built from steps; `calls` holds the requests it answered, in order. */
export type ScriptedBehaviour = Behaviour & { calls: ReceivedRequest[] };

/**
 * An injected tool the fake calls by itself when a request offers it: the model's turn is a call of that tool with
 * `arguments`; once the conversation holds its result, the next turn quotes it (`The tool <name> answered: <result>`).
 */
export interface ToolCallScript {
  /** The tool's name as the model sees it (`bmcp_<server>_<tool>` for `mcpToolInjector`), or a RegExp that names match. */
  tool: string | RegExp;
  /** Call it only when the last user message matches. Defaults to calling it whenever it is offered. */
  when?: RegExp;
  /**
   * The call's arguments: an object (sent as JSON), JSON text (sent as is, invalid on purpose too), or a function of
   * the last user message returning either. Defaults to `{}`.
   */
  arguments?: string | Record<string, unknown> | ((question: string) => string | Record<string, unknown>);
  /** Quote the tool's result in the turn after it; `false` answers that turn as if no tool were involved. Defaults to true. */
  quote?: boolean;
}

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
  /** Pause between streamed events of the routes' answers, in ms. Defaults to 0: all at once. */
  chunkDelayMs?: number;
  /** Port on 127.0.0.1. Defaults to 0: a free one. */
  port?: number;
  /**
   * Default chat-completions answers quote the last user message (word-counted usage, the request's model) instead
   * of replaying the recorded answer (other APIs: no effect). Defaults to false.
   */
  echo?: boolean;
  /** Keep every request in `requests`. Defaults to true (turn it off for load tests). */
  recordRequests?: boolean;
  /** Larger request bodies get the API's 413. Defaults to 32 MiB. */
  maxBodyBytes?: number;
  /** The initial `behaviour`. Defaults to none: the routes answer. */
  behaviour?: Behaviour;
  /** Injected tools the fake calls by itself, on every API, streamed and blocking; the first script a name matches wins. Defaults to none. */
  toolCalls?: ToolCallScript[];
}

export interface FakeUpstream {
  /** `http://127.0.0.1:<port>/v1`: an OpenAI client's `baseURL`. */
  url: string;
  /** `http://127.0.0.1:<port>`: an Anthropic client's `baseURL`. */
  origin: string;
  /** The port it listens on (127.0.0.1). */
  port: number;
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
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** One step of {@link script}: the same for every API, rendered in the shape of the API the request called. */
export interface FakeStep {
  /** The answer's text. Defaults to none (a turn of tool calls only). */
  text?: string;
  /** Tool calls of this turn, of any tool name. */
  toolCalls?: Array<{
    name: string;
    /** An object (sent as JSON) or JSON text (sent as is). Defaults to `{}`. */
    arguments?: string | Record<string, unknown>;
    /** Defaults to `call_step<n>_<i>` (OpenAI) or `toolu_step<n>_<i>` (Anthropic). */
    id?: string;
  }>;
  /** Tokens billed. Defaults to 10 input and 5 output. */
  usage?: { input: number; output: number };
  /** Answer with this status and an error body in the API's shape instead. `type` defaults to the API's name for the status. */
  error?: { status: number; message: string; type?: string; headers?: Record<string, string> };
}

/** One tool call of a scripted chat-completions or Responses step. */
export interface ScriptedToolCall {
  id: string;
  name: string;
  /** Raw arguments text (may be invalid JSON on purpose). */
  arguments: string;
}

/** One scripted chat-completions answer. */
export interface ScriptStep {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  /** Defaults to 10 prompt and 5 completion tokens. */
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** Answer with this status and error body instead. */
  error?: { status: number; message: string; headers?: Record<string, string> };
}

/** One tool_use block of a scripted Anthropic step. */
export interface AnthropicToolCall {
  id: string;
  name: string;
  /** The input as JSON text (cut on purpose for a `max_tokens` stop). */
  input: string;
}

/** One scripted Anthropic Messages answer. */
export interface AnthropicStep {
  /** Replay this recorded stream (streamed requests only). */
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

/** One scripted Responses answer. */
export interface ResponsesStep {
  /** Replay this recorded stream (streamed) or its final response (blocking); the other fields are then ignored. */
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

/** Steps in order (the last one repeats), or a function choosing the step of the `n`th call (from 0). */
export type Steps<S> = S[] | ((req: ReceivedRequest, n: number) => S);
