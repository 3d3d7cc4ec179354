/** The OpenAI embeddings API (`POST /v1/embeddings`): request checks, the recorded input, and its one JSON call. */
import type { ApiAdapter, ApiCall } from '../api';
import type { Turn } from '../conversation';
import { openaiErrors } from '../openai-common/openai-errors';
import { chatUsageToTokens } from '../openai-chat/usage';
import { answerModel } from '../answer-model';
import { SingleCallConversation } from '../single-call-conversation';
import { encodeSseEvent } from '../../streaming/sse-encoder';
import { type JsonObject, isObject } from '../../json/parse-object';

function validate(body: JsonObject): string | undefined {
  if (typeof body.model !== 'string' || body.model === '') return '`model` must be a non-empty string.';
  const input = body.input;
  if (typeof input !== 'string' && !Array.isArray(input)) return '`input` must be a string or an array.';
  // The API answers JSON only: a client asking for a stream would get one JSON body it does not expect.
  if (body.stream === true) return '`stream` is not supported by the embeddings API.';
  return undefined;
}

/** The input recorded as the prompt: one text (a string, or an array of one string); a batch of documents is not a prompt. */
export function embeddingsPrompt(input: unknown): string | undefined {
  if (typeof input === 'string') return input;
  return Array.isArray(input) && input.length === 1 && typeof input[0] === 'string' ? input[0] : undefined;
}

/** An embeddings answer: `usage` has `prompt_tokens` and `total_tokens` (all input), no id. */
function embeddingsTurn(answer: JsonObject): Turn {
  return {
    msgId: '',
    model: answerModel(answer.model),
    usage: isObject(answer.usage) ? chatUsageToTokens(answer.usage) : undefined,
    toolCalls: [],
    thoughts: [],
  };
}

function prepare(body: JsonObject, raw: Buffer): ApiCall | string {
  const problem = validate(body);
  if (problem) return problem;
  return {
    model: body.model as string,
    streaming: false,
    prompt: embeddingsPrompt(body.input),
    takesTools: false,
    conversation: () => new SingleCallConversation(raw, embeddingsTurn),
  };
}

/** `POST /v1/embeddings`: bridged for its key pool, records (input tokens), limits and errors; nothing is injected. */
export const embeddingsApi: ApiAdapter = {
  name: 'embeddings',
  route: '/v1/embeddings',
  errors: openaiErrors,
  prepare,
  streamErrorEvent(error) {
    return encodeSseEvent({ data: JSON.stringify({ error }) });
  },
};
