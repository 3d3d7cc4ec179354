/** Chat-completions usage (`prompt_tokens`, `completion_tokens`, `*_details`) → token counts as recorded. */
import type { TokenCounts } from '../conversation';
import { openaiUsageToTokens, type OpenAIUsageFields } from '../openai-common/openai-usage';

const CHAT_FIELDS: OpenAIUsageFields = {
  input: 'prompt_tokens', output: 'completion_tokens', inputDetails: 'prompt_tokens_details',
  outputDetails: 'completion_tokens_details', inputPrefix: 'prompt', outputPrefix: 'completion',
};

/** Cached prompt tokens are reported inside `prompt_tokens`; they are moved to `cacheRead`. */
export function chatUsageToTokens(usage: Record<string, unknown>): TokenCounts {
  return openaiUsageToTokens(usage, CHAT_FIELDS);
}
