/** Responses usage (`input_tokens`, `output_tokens`, `*_tokens_details`) → token counts as recorded. */
import type { TokenCounts } from '../conversation';
import { openaiUsageToTokens, type OpenAIUsageFields } from '../openai-common/openai-usage';

const RESPONSES_FIELDS: OpenAIUsageFields = {
  input: 'input_tokens', output: 'output_tokens', inputDetails: 'input_tokens_details',
  outputDetails: 'output_tokens_details', inputPrefix: 'input', outputPrefix: 'output',
};

/**
 * Cached tokens are counted inside `input_tokens`; they are moved to `cacheRead`. Reasoning tokens stay inside
 * `output` (they are billed as output) and are repeated in `extra.output_reasoning_tokens`.
 */
export function responsesUsageToTokens(usage: Record<string, unknown>): TokenCounts {
  return openaiUsageToTokens(usage, RESPONSES_FIELDS);
}
