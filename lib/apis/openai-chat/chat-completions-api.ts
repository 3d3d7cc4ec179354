/** The OpenAI chat-completions API: request preparation and the conversation its calls go through. */
import { clientToolNames, nameOrNested } from '../client-tool-names';
import { encodeSseEvent } from '../../streaming/sse-encoder';
import { setNestedField } from '../../json/json-edit';
import type { ApiAdapter, ApiCall } from '../api';
import { lastUserPrompt } from './prompt';
import { openaiErrors } from '../openai-common/openai-errors';
import { ChatConversation } from './chat-conversation';
import { chatStoredState } from './stored-state';
import { lastToolResultId } from './prompt';
import { type JsonObject } from '../../json/parse-object';

function validate(body: JsonObject): string | undefined {
  if (typeof body.model !== 'string' || body.model === '') return '`model` must be a non-empty string.';
  if (!Array.isArray(body.messages)) return '`messages` must be an array.';
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') return '`stream` must be a boolean.';
  const so = body.stream_options;
  if (so !== undefined && so !== null && (typeof so !== 'object' || Array.isArray(so))) return '`stream_options` must be an object.';
  return undefined;
}

/** How a chat-completions route treats usage. */
export interface ChatCompletionsOptions {
  /**
   * Ask for usage on every stream (`stream_options.include_usage`) when the client did not, and hide what that adds
   * from that client. Off for servers that refuse `stream_options`: the body goes as the client wrote it, and whatever
   * usage the server sends is the client's. Defaults to true.
   */
  includeUsage?: boolean;
}

function preparer(includeUsage: boolean): (body: JsonObject, raw: Buffer) => ApiCall | string {
  return function prepare(body, raw) {
    const problem = validate(body);
    if (problem) return problem;
    const streaming = body.stream === true;
    const streamOptions = body.stream_options as JsonObject | null | undefined;
    const clientAsked = streamOptions?.include_usage === true;
    // Usage is recorded for every stream; when the client did not ask for it, ask on its behalf and hide what that
    // adds (the usage chunk, `"usage":null` in every other chunk).
    const hideUsageChunk = includeUsage && streaming && !clientAsked;
    // A byte-level edit, not a re-serialisation: numbers past double precision, key order and escapes stay the
    // client's, and deep nesting cannot overflow the stack.
    const upstreamBody = hideUsageChunk ? setNestedField(raw, 'stream_options', 'include_usage', 'true') : raw;
    return {
      model: body.model as string,
      streaming,
      prompt: lastUserPrompt(body.messages),
      correlatingToolCallId: lastToolResultId(body.messages),
      clientToolNames: () => clientToolNames(body.tools, nameOrNested),
      clientHasTools: Array.isArray(body.tools) && body.tools.length > 0,
      conversation: (tools, budget) => new ChatConversation({
        budget,
        base: upstreamBody,
        tools,
        // Nothing asked on the client's behalf: what the upstream sends about usage is the client's to see.
        clientWantsUsage: streaming && (clientAsked || !includeUsage),
        toolChoice: body.tool_choice,
        clientHasTools: Array.isArray(body.tools) && body.tools.length > 0,
      }),
    };
  };
}

/** `POST /v1/chat/completions`, usage treated as `options` say (see {@link ChatCompletionsOptions}). */
export function chatCompletionsApiWith(options: ChatCompletionsOptions): ApiAdapter {
  return {
    name: 'chat-completions',
    route: '/v1/chat/completions',
    errors: openaiErrors,
    prepare: preparer(options.includeUsage !== false),
    streamErrorEvent(error) {
      return encodeSseEvent({ data: JSON.stringify({ error }) });
    },
    storedState: chatStoredState,
  };
}

/** `POST /v1/chat/completions`, usage asked for on every stream. */
export const chatCompletionsApi: ApiAdapter = chatCompletionsApiWith({});
