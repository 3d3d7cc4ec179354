/** OpenAI usage objects → token counts as recorded (input without cached tokens, details kept as extras). */
import type { TokenUsageRecord } from '../../recorder/types';

type TokenCounts = Pick<TokenUsageRecord, 'input' | 'output' | 'cacheRead' | 'cacheWrite' | 'extra'>;

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
 * Chat-completions usage (`prompt_tokens`, `completion_tokens`, `*_details`) as recorded token counts.
 * Cached prompt tokens are reported by OpenAI inside `prompt_tokens`; they are moved to `cacheRead`.
 */
export function chatUsageToTokens(usage: Record<string, unknown>): TokenCounts {
  const promptDetails = usage.prompt_tokens_details as Record<string, unknown> | undefined;
  const cached = num(promptDetails?.cached_tokens);
  const extra: Record<string, number> = {};
  addDetails(extra, 'prompt', promptDetails, 'cached_tokens');
  addDetails(extra, 'completion', usage.completion_tokens_details, '');
  if (typeof usage.total_tokens === 'number') extra.total_tokens = usage.total_tokens;
  return {
    input: Math.max(0, num(usage.prompt_tokens) - cached),
    output: num(usage.completion_tokens),
    cacheRead: cached,
    cacheWrite: 0,
    extra,
  };
}
