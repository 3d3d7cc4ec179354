/** What the circuit breaker counts of a request: the last attempt of its key walk, judged once. */
import type { AttemptTrace } from '../keypool/key-pool';

/**
 * `failure`: the upstream failed on its own account (counted whoever asked); `slow`: it did not answer in time (a
 * timeout, a `504`), which one request can cause by itself (a huge prompt, a long generation), so it counts only
 * once such failures come from several actors; `success`: it answered anything else; `none`: nothing to judge.
 */
export type UpstreamOutcome = 'success' | 'failure' | 'slow' | 'none';

/** Overloaded or gone: 503 and Anthropic's 529. A 429 is the key pool's business, a 4xx the request's. */
const COUNTED_STATUSES = new Set([503, 529]);
/** A gateway between the provider and its model gave up waiting: as much the request's length as the upstream's health. */
const SLOW_STATUS = 504;

/**
 * The outcome of the request's last upstream attempt (after the key walk, so the final one): a counted status, or a
 * connection error before any answer, is a failure (and a status of the provider's `circuitFailureStatuses`); a 504 or a timeout is slow; any other answer a success; no
 * attempt, or an attempt the client's leaving cut short, is nothing.
 */
export function upstreamOutcome(trace: AttemptTrace, alsoCounted?: ReadonlySet<number>): UpstreamOutcome {
  const log = trace.log;
  const last = log && log.length > 0 ? log[log.length - 1] : undefined;
  if (!last) return 'none';
  const status = last.httpStatus;
  if (status !== undefined) return COUNTED_STATUSES.has(status) || alsoCounted?.has(status) ? 'failure' : status === SLOW_STATUS ? 'slow' : 'success';
  return last.errorType === 'aborted' ? 'none' : last.errorType === 'timeout' ? 'slow' : 'failure';
}
