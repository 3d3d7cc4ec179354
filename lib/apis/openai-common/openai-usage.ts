/** OpenAI usage objects (chat completions and responses name their fields differently) → token counts as recorded. */
import type { TokenCounts } from '../conversation';
import { usageDetails } from '../../recorder/record-limits';
import { tokenCount } from '../../recorder/token-counts';

/** Where one OpenAI API keeps its counts, and the prefixes its details get in `extra`. */
export interface OpenAIUsageFields {
  input: string;
  output: string;
  inputDetails: string;
  outputDetails: string;
  inputPrefix: string;
  outputPrefix: string;
}

function addDetails(extra: Record<string, number>, prefix: string, details: unknown, skip: string): void {
  for (const [k, v] of usageDetails(details)) if (k !== skip) extra[`${prefix}_${k}`] = v;
}

/**
 * OpenAI counts cached tokens inside the input count; they are moved to `cacheRead`, so `input` is what was not
 * cached. Every other detail (reasoning tokens, audio, predictions) is kept in `extra` under its prefix.
 */
export function openaiUsageToTokens(usage: Record<string, unknown>, fields: OpenAIUsageFields): TokenCounts {
  const inputDetails = usage[fields.inputDetails] as Record<string, unknown> | undefined;
  // One rule for every count an upstream reports (a negative cached count must not inflate the input, a huge one
  // must not reach counters and budgets as Infinity): whole numbers from 0 to MAX_SAFE_INTEGER.
  const cached = tokenCount(inputDetails?.cached_tokens);
  const extra: Record<string, number> = {};
  addDetails(extra, fields.inputPrefix, inputDetails, 'cached_tokens');
  addDetails(extra, fields.outputPrefix, usage[fields.outputDetails], '');
  if (typeof usage.total_tokens === 'number') extra.total_tokens = tokenCount(usage.total_tokens);
  return { input: Math.max(0, tokenCount(usage[fields.input]) - cached), output: tokenCount(usage[fields.output]), cacheRead: cached, cacheWrite: 0, extra };
}
