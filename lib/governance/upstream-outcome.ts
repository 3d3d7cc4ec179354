/** What the circuit breaker counts of a request: the last attempt of its key walk, judged once. */
import type { AttemptTrace } from '../keypool/key-pool';

/** `failure`: the upstream failed (counted); `success`: it answered anything else; `none`: nothing to judge. */
export type UpstreamOutcome = 'success' | 'failure' | 'none';

/** Overloaded or gone: 503, 504 and Anthropic's 529. A 429 is the key pool's business, a 4xx the request's. */
const COUNTED_STATUSES = new Set([503, 504, 529]);

/**
 * The outcome of the request's last upstream attempt (after the key walk, so the final one): a counted status, or a
 * connection error or timeout before any answer, is a failure; any other answer a success; no attempt, or an
 * attempt the client's leaving cut short, is nothing.
 */
export function upstreamOutcome(trace: AttemptTrace): UpstreamOutcome {
  const log = trace.log;
  const last = log && log.length > 0 ? log[log.length - 1] : undefined;
  if (!last) return 'none';
  if (last.httpStatus !== undefined) return COUNTED_STATUSES.has(last.httpStatus) ? 'failure' : 'success';
  return last.errorType === 'aborted' ? 'none' : 'failure';
}
