/** The OpenAI chat-completions API: request preparation, usage and tool-call recording, stream observation. */
import { clientToolNames, nameOrNested } from '../client-tool-names';
import { encodeSseEvent } from '../../streaming/sse-encoder';
import { setNestedField } from '../json-edit';
import type { ApiAdapter, ApiCall, RecordSink } from '../api';
import { lastUserPrompt } from './prompt';
import { ChatStreamObserver } from './chat-stream-observer';
import { recordChatToolCalls, recordChatUsage } from './chat-records';
import { ChatConversation } from './chat-conversation';
import { lastToolResultId } from './prompt';
import { type JsonObject } from '../parse-object';

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function validate(body: JsonObject): string | undefined {
  if (typeof body.model !== 'string' || body.model === '') return '`model` must be a non-empty string.';
  if (!Array.isArray(body.messages)) return '`messages` must be an array.';
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') return '`stream` must be a boolean.';
  const so = body.stream_options;
  if (so !== undefined && so !== null && (typeof so !== 'object' || Array.isArray(so))) return '`stream_options` must be an object.';
  return undefined;
}

function prepare(body: JsonObject, raw: Buffer): ApiCall | string {
  const problem = validate(body);
  if (problem) return problem;
  const streaming = body.stream === true;
  const streamOptions = body.stream_options as JsonObject | null | undefined;
  // Usage is recorded for every stream; when the client did not ask for it, ask on its behalf and hide what that
  // adds (the usage chunk, `"usage":null` in every other chunk).
  const hideUsageChunk = streaming && streamOptions?.include_usage !== true;
  // A byte-level edit, not a re-serialisation: numbers past double precision, key order and escapes stay the
  // client's, and deep nesting cannot overflow the stack.
  const upstreamBody = hideUsageChunk ? setNestedField(raw, 'stream_options', 'include_usage', 'true') : raw;
  return {
    model: body.model as string,
    streaming,
    upstreamBody,
    prompt: lastUserPrompt(body.messages),
    correlatingToolCallId: lastToolResultId(body.messages),
    clientToolNames: () => clientToolNames(body.tools, nameOrNested),
    conversation: (tools, budget) => new ChatConversation({
      budget,
      base: typeof upstreamBody === 'string' ? Buffer.from(upstreamBody) : upstreamBody,
      tools,
      clientWantsUsage: streaming && streamOptions?.include_usage === true,
      toolChoice: body.tool_choice,
      clientHasTools: Array.isArray(body.tools) && body.tools.length > 0,
    }),
    recordBlocking(answer: unknown, sink: RecordSink) {
      if (!answer || typeof answer !== 'object') return;
      const a = answer as { id?: unknown; usage?: unknown; choices?: unknown };
      const msgId = typeof a.id === 'string' ? a.id : '';
      if (a.usage && typeof a.usage === 'object') recordChatUsage(sink, msgId, a.usage as JsonObject);
      const first = Array.isArray(a.choices) ? (a.choices[0] as { message?: { tool_calls?: unknown } } | undefined) : undefined;
      const calls = first?.message?.tool_calls;
      if (Array.isArray(calls)) {
        // The answer is the upstream's: fields of the wrong type must not reach records typed as strings.
        recordChatToolCalls(sink, msgId, calls.map((c: { id?: unknown; function?: { name?: unknown; arguments?: unknown } }) => ({
          id: text(c?.id), name: text(c?.function?.name), arguments: text(c?.function?.arguments),
        })));
      }
    },
    observeStream(sink: RecordSink, budget) {
      return new ChatStreamObserver(sink, hideUsageChunk, budget);
    },
  };
}

/** `POST /v1/chat/completions`. */
export const chatCompletionsApi: ApiAdapter = {
  name: 'chat-completions',
  route: '/v1/chat/completions',
  prepare,
  streamErrorEvent(error) {
    return encodeSseEvent({ data: JSON.stringify({ error }) });
  },
};
