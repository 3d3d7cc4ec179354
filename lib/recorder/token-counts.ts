/** One rule for stored token counts, the same in every store: whole numbers from 0 to Number.MAX_SAFE_INTEGER. */
import type { TokenUsageRecord } from './types';

/**
 * Token counts come from the upstream: one absurd value (1e308 overflows BIGINT, -5 would lower a total, NaN would
 * poison every sum) must neither fail a batch nor distort the totals. Not a finite number → 0.
 */
export function tokenCount(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(Math.max(0, Math.round(v)), Number.MAX_SAFE_INTEGER) : 0;
}

/** `r` with its four counts made storable; the same object when they already are. */
export function storableTokenUsage(r: TokenUsageRecord): TokenUsageRecord {
  const input = tokenCount(r.input);
  const output = tokenCount(r.output);
  const cacheRead = tokenCount(r.cacheRead);
  const cacheWrite = tokenCount(r.cacheWrite);
  if (input === r.input && output === r.output && cacheRead === r.cacheRead && cacheWrite === r.cacheWrite) return r;
  return { ...r, input, output, cacheRead, cacheWrite };
}
