/** Anthropic usage objects → token counts as recorded, and the "latest non-null value wins" rule of streamed usage. */
import type { TokenCounts } from '../conversation';
import { type JsonObject, isObject } from '../../json/parse-object';
import { usageDetails } from '../../recorder/record-limits';
import { tokenCount } from '../../recorder/token-counts';

/**
 * `usage` of a message (or of a stream, merged) as recorded. Anthropic's `input_tokens` already excludes cache
 * reads and writes, so it is `input` as it is; the 5m/1h split of cache writes and server tool counts go to `extra`.
 */
export function messagesUsageToTokens(usage: JsonObject): TokenCounts {
  const extra: Record<string, number> = {};
  const creation = usage.cache_creation;
  if (isObject(creation)) {
    for (const k of ['ephemeral_5m_input_tokens', 'ephemeral_1h_input_tokens']) {
      if (typeof creation[k] === 'number') extra[k] = tokenCount(creation[k]);
    }
  }
  const server = usage.server_tool_use;
  if (isObject(server)) {
    for (const [k, v] of usageDetails(server)) extra[`server_tool_use_${k}`] = v;
  }
  return {
    // Counts as stored (whole, 0 to MAX_SAFE_INTEGER), so that metrics and budgets never count a negative or Infinity.
    input: tokenCount(usage.input_tokens),
    output: tokenCount(usage.output_tokens),
    cacheRead: tokenCount(usage.cache_read_input_tokens),
    cacheWrite: tokenCount(usage.cache_creation_input_tokens),
    extra,
  };
}

/**
 * Streamed usage: `message_start` carries the first values, `message_delta` the final ones. Every field is
 * cumulative (output too), so the latest non-null value of each field wins; nothing is added.
 */
export function mergeUsage(previous: JsonObject | undefined, next: unknown): JsonObject | undefined {
  if (!isObject(next)) return previous;
  const out: JsonObject = { ...previous };
  for (const [k, v] of Object.entries(next)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}
