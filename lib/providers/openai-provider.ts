/** `openaiProvider()`: the OpenAI provider adapter composed with the APIs it bridges (chat completions, responses and their compaction and token count, completions, embeddings). */
import type { BridgedProvider } from './types';
import { chatCompletionsApi } from '../apis/openai-chat/chat-completions-api';
import { responsesApi } from '../apis/openai-responses/responses-api';
import { responsesCompactApi, responsesInputTokensApi } from '../apis/openai-responses/compact-api';
import { completionsApi } from '../apis/openai-completions/completions-api';
import { embeddingsApi } from '../apis/openai-embeddings/embeddings-api';
import { openaiAdapter, type OpenAIProviderOptions } from './openai';

const APIS = [chatCompletionsApi, responsesApi, responsesCompactApi, responsesInputTokensApi, completionsApi, embeddingsApi];

/** An OpenAI (or OpenAI-compatible) upstream. Clients use `baseURL: <mount>/<name>/v1`. */
export function openaiProvider(options: OpenAIProviderOptions): BridgedProvider {
  return { ...openaiAdapter(options), apis: APIS };
}
