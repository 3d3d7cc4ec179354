/** The total deadline of one upstream attempt: an abort signal that fires when the request's does, or when time is up. */
import { GatewayError } from '../errors';

/** What a client is told when an attempt outlives `timeouts.totalMs`: a 504 before the first byte, one error event after. */
export function totalDeadlineError(totalMs: number): GatewayError {
  return new GatewayError({ status: 504, errorType: 'timeout', code: 'upstream_timeout', message: `The upstream did not finish its answer within the total deadline of ${totalMs} ms.` });
}

/** A signal for one attempt, and `clear()` to call once the attempt is over (its body closed, or it failed). */
export interface AttemptDeadline {
  readonly signal: AbortSignal;
  clear(): void;
}

/**
 * Follows `outer` (the client went away, the bridge shut down: same reason) and aborts with `reason` after `ms`.
 * Not `AbortSignal.any`/`AbortSignal.timeout`: those keep their listeners until garbage collection, one per attempt.
 */
export function attemptDeadline(outer: AbortSignal, ms: number, reason: Error): AttemptDeadline {
  const controller = new AbortController();
  const follow = () => controller.abort(outer.reason);
  if (outer.aborted) follow();
  else outer.addEventListener('abort', follow, { once: true });
  const timer = setTimeout(() => controller.abort(reason), ms);
  // The deadline alone must not keep a process alive.
  timer.unref();
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      outer.removeEventListener('abort', follow);
    },
  };
}
