/** The answer to a request over a limit: a provider-shaped `429` with `Retry-After` and the rate-limit headers its API's clients read. */
import { Refusal } from '../../errors';
import type { MeterSpec } from './limit-options';
import type { CounterState } from './limit-store';

/** Where a refused request stood on a limit that has standard headers (requests or tokens per window). */
export interface RateLimitStanding {
  kind: 'requests' | 'tokens';
  limit: number;
  remaining: number;
  /** Ms until the window starts again. */
  resetMs: number;
}

/**
 * The rate-limit headers a wire API's clients read to back off (e.g. `x-ratelimit-*`, `anthropic-ratelimit-*`), built
 * from where the refused request stood. An API's error shape carries its own, so a new API brings its headers along.
 */
export type RateLimitHeaders = (standing: RateLimitStanding) => Record<string, string>;

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
export function limitRefusal(refused: Refused, headers: RateLimitHeaders | undefined): Refusal {
  const { rule, spec, state } = refused;
  const budget = spec.kind === 'tokens' || spec.kind === 'spend';
  // Concurrency has no window: a slot frees when a request ends, so a second is a fair guess.
  const retryAfterSec = Math.max(1, Math.ceil((state.msBeforeReset ?? 1000) / 1000));
  return new Refusal({
    status: 429, errorType: 'rate_limited', code: budget ? 'budget_exceeded' : 'limit_exceeded', retryAfterSec,
    message: `Rate limit "${rule}" reached: ${WHAT[spec.kind]}. Try again in ${retryAfterSec} s.`,
    headers: rateLimitHeaders(spec, state, headers),
  });
}

/** The headers clients of this API read to back off; only requests and tokens have standard ones. */
function rateLimitHeaders(spec: MeterSpec, state: CounterState, headers: RateLimitHeaders | undefined): Record<string, string> | undefined {
  if (headers === undefined || (spec.kind !== 'requests' && spec.kind !== 'tokens')) return undefined;
  return headers({
    kind: spec.kind, limit: spec.points, remaining: Math.max(0, spec.points - state.used),
    resetMs: state.msBeforeReset ?? spec.windowMs ?? 0,
  });
}
