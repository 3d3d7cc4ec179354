/** The answer to a request over a limit: a provider-shaped `429` with `Retry-After` and that provider's rate-limit headers. */
import { Refusal } from '../../errors';
import type { MeterSpec } from './limit-options';
import type { CounterState } from './limit-store';

export type RateLimitHeaderStyle = 'openai' | 'anthropic';

/** Which counter refused, and where it stood. */
export interface Refused {
  rule: string;
  spec: MeterSpec;
  state: CounterState;
}

const WHAT: Record<MeterSpec['kind'], string> = {
  requests: 'requests per window',
  concurrent: 'requests in flight at once',
  tokens: 'tokens per window',
  spend: 'spend per period',
};

/** The refusal for `refused`: `limit_exceeded` for requests and concurrency, `budget_exceeded` for tokens and spend. */
export function limitRefusal(refused: Refused, style: RateLimitHeaderStyle | undefined): Refusal {
  const { rule, spec, state } = refused;
  const budget = spec.kind === 'tokens' || spec.kind === 'spend';
  // Concurrency has no window: a slot frees when a request ends, so a second is a fair guess.
  const retryAfterSec = Math.max(1, Math.ceil((state.msBeforeReset ?? 1000) / 1000));
  return new Refusal({
    status: 429, errorType: 'rate_limited', code: budget ? 'budget_exceeded' : 'limit_exceeded', retryAfterSec,
    message: `Rate limit "${rule}" reached: ${WHAT[spec.kind]}. Try again in ${retryAfterSec} s.`,
    headers: rateLimitHeaders(spec, state, style),
  });
}

/** The headers clients of this provider read to back off; only requests and tokens have standard ones. */
function rateLimitHeaders(spec: MeterSpec, state: CounterState, style: RateLimitHeaderStyle | undefined): Record<string, string> | undefined {
  if (style === undefined || (spec.kind !== 'requests' && spec.kind !== 'tokens')) return undefined;
  const resetMs = state.msBeforeReset ?? spec.windowMs ?? 0;
  const limit = String(spec.points);
  const remaining = String(Math.max(0, spec.points - state.used));
  if (style === 'openai') {
    return { [`x-ratelimit-limit-${spec.kind}`]: limit, [`x-ratelimit-remaining-${spec.kind}`]: remaining, [`x-ratelimit-reset-${spec.kind}`]: openaiDuration(resetMs) };
  }
  const reset = new Date(Math.ceil((Date.now() + resetMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return { [`anthropic-ratelimit-${spec.kind}-limit`]: limit, [`anthropic-ratelimit-${spec.kind}-remaining`]: remaining, [`anthropic-ratelimit-${spec.kind}-reset`]: reset };
}

/** OpenAI's reset durations: `20ms`, `17s`, `6m0s`, `1h2m3s`. */
export function openaiDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
}
