/** Responses usage objects → token counts as recorded (input without cached tokens, details kept as extras). */
import type { TokenCounts } from '../../tools/loop-types';

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function addDetails(extra: Record<string, number>, prefix: string, details: unknown, skip: string): void {
  if (!details || typeof details !== 'object') return;
  for (const [k, v] of Object.entries(details)) {
    if (k !== skip && typeof v === 'number' && Number.isFinite(v)) extra[`${prefix}_${k}`] = v;
  }
}

/**
 * Responses usage (`input_tokens`, `output_tokens`, `*_tokens_details`) as recorded token counts. OpenAI counts
 * cached tokens inside `input_tokens`; they are moved to `cacheRead`. Reasoning tokens stay inside `output` (they
 * are billed as output) and are repeated in `extra.output_reasoning_tokens`.
 */
export function responsesUsageToTokens(usage: Record<string, unknown>): TokenCounts {
  const inputDetails = usage.input_tokens_details as Record<string, unknown> | undefined;
  const cached = num(inputDetails?.cached_tokens);
  const extra: Record<string, number> = {};
  addDetails(extra, 'input', inputDetails, 'cached_tokens');
  addDetails(extra, 'output', usage.output_tokens_details, '');
  if (typeof usage.total_tokens === 'number') extra.total_tokens = usage.total_tokens;
  return { input: Math.max(0, num(usage.input_tokens) - cached), output: num(usage.output_tokens), cacheRead: cached, cacheWrite: 0, extra };
}
