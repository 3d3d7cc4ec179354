/** The total deadline of one upstream attempt: no answer head in time is undici's headers timeout; a body still arriving past it is cut. */
import type { Readable } from 'node:stream';
import { GatewayError } from '../errors';

/** What a client is told when an attempt outlives `timeouts.totalMs`: a 504 before the first byte, one error event after. */
export function totalDeadlineError(totalMs: number): GatewayError {
  return new GatewayError({ status: 504, errorType: 'timeout', code: 'upstream_timeout', message: `The upstream did not finish its answer within the total deadline of ${totalMs} ms.` });
}

function cut(body: Readable, error: GatewayError): void {
  body.destroy(error);
}

/**
 * Cuts `body` with `error` once `totalMs` have passed since `startedAt` (the attempt's start), unless it closes first.
 * Until the head arrives the deadline is the HTTP client's headers timeout (at most `totalMs`, set once on the
 * agent), so an attempt costs one timer here and no AbortController or signal listener of its own.
 */
export function armBodyDeadline(body: Readable, startedAt: number, totalMs: number, error: GatewayError): void {
  const remaining = totalMs - (Date.now() - startedAt);
  if (remaining <= 0) return cut(body, error);
  const timer = setTimeout(cut, remaining, body, error);
  // The deadline alone must not keep a process alive; the body read to its end, discarded or destroyed ends it.
  timer.unref();
  body.once('close', () => clearTimeout(timer));
}
