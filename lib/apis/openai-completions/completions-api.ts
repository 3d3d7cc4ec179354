/** The legacy OpenAI completions API (`POST /v1/completions`): request checks, the recorded prompt, blocking and streamed calls. */
import type { ApiAdapter, ApiCall } from '../api';
import { openaiErrors } from '../openai-common/openai-errors';
import { ChatConversation } from '../openai-chat/chat-conversation';
import { embeddingsPrompt } from '../openai-embeddings/embeddings-api';
import { encodeSseEvent } from '../../streaming/sse-encoder';
import { setNestedField } from '../../json/json-edit';
import { type JsonObject } from '../../json/parse-object';

function validate(body: JsonObject): string | undefined {
  if (typeof body.model !== 'string' || body.model === '') return '`model` must be a non-empty string.';
  if (body.prompt != null && typeof body.prompt !== 'string' && !Array.isArray(body.prompt)) return '`prompt` must be a string or an array.';
  if (body.stream != null && typeof body.stream !== 'boolean') return '`stream` must be a boolean.';
  const so = body.stream_options;
  if (so != null && (typeof so !== 'object' || Array.isArray(so))) return '`stream_options` must be an object.';
  return undefined;
}

function prepare(body: JsonObject, raw: Buffer): ApiCall | string {
  const problem = validate(body);
  if (problem) return problem;
  const streaming = body.stream === true;
  const clientWantsUsage = streaming && (body.stream_options as JsonObject | null | undefined)?.include_usage === true;
  // Chunks are chat chunks with `text` for `delta`: the chat conversation (with no tools) relays them, asks for the
  // usage chunk on the client's behalf and hides what that adds, as it does for chat.
  const upstreamBody = streaming && !clientWantsUsage ? setNestedField(raw, 'stream_options', 'include_usage', 'true') : raw;
  return {
    model: body.model as string,
    streaming,
    prompt: embeddingsPrompt(body.prompt),
    takesTools: false,
    conversation: (_tools, budget) => new ChatConversation({ base: upstreamBody, tools: [], clientWantsUsage, budget }),
  };
}

/** `POST /v1/completions`: bridged for its key pool, records (usage), limits and errors; no tools are injected. */
export const completionsApi: ApiAdapter = {
  name: 'completions',
  route: '/v1/completions',
  errors: openaiErrors,
  prepare,
  streamErrorEvent(error) {
    return encodeSseEvent({ data: JSON.stringify({ error }) });
  },
};
