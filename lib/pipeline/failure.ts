/** How a failure ends an interception: the client's answer (provider-shaped, or one error event) and the end it records. */
import { GatewayError, INTERNAL_ERROR, gatewayErrorForTransport, gatewayErrorMidBody, isTransportError } from '../errors';
import { sendGatewayError } from '../intercept/respond';
import { errorMessage } from '../observability/logger';
import { SHUTDOWN_ABORT } from '../runtime';
import type { Ending, Interception } from './interception';

/** The end of a request whose answering failed too (the bridge's last resort answers it). */
export const UNEXPECTED: Ending = { httpStatus: 500, status: 'failed', errorType: 'unknown', errorMessage: 'The gateway failed to handle this request.' };

const UNKNOWN_FAILURE = new GatewayError({ status: 500, errorType: 'unknown', code: 'internal_error', message: 'The gateway failed to handle this request.' });

/** Who failed, for the log lines a failure writes. */
export type FailureLog = Pick<Interception, 'interceptionId' | 'providerName' | 'logger' | 'throttle'>;

/** Answers the client for `err` and returns the end it records; a client that left, or `close()`, ends it as aborted. */
export function endingOf(ix: Interception, err: unknown): Ending {
  if (ix.signal.aborted) {
    if (ix.signal.reason !== SHUTDOWN_ABORT) return { status: 'aborted', errorType: 'aborted', errorMessage: 'The client went away.' };
    return shutDown(ix);
  }
  const error = gatewayErrorOf(ix, err);
  answer(ix, error);
  return { httpStatus: error.status, status: 'failed', errorType: error.errorType, errorMessage: error.message };
}

/** The end of a request `close()` gave up on that did not end itself in time. */
export function forcedEnding(ix: Interception, reason: Error): Ending {
  try {
    return endingOf(ix, reason);
  } catch {
    return UNEXPECTED;
  }
}

function gatewayErrorOf(ix: Interception, err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (isTransportError(err)) {
    const error = gatewayErrorForTransport(err);
    // The same upstream down fails every request: one line per interval says so, with how many were held back.
    const suppressed = ix.throttle.allow(`${ix.providerName}:${error.code}`);
    if (suppressed !== false) ix.logger.warn('upstream request failed', { provider: ix.providerName, code: error.code, error: errorMessage(err), suppressed });
    return error;
  }
  ix.logger.error('bridged request failed', { provider: ix.providerName, error: errorMessage(err) });
  return UNKNOWN_FAILURE;
}

/** A provider-shaped answer before the first byte; after it only a stream is still open: one error event, never a silent clean end. */
function answer(ix: Interception, error: GatewayError): void {
  const { res } = ix;
  if (!res.headersSent) sendGatewayError(res, ix.provider.adapter, error);
  else if (!res.writableEnded) res.end(ix.api.streamErrorEvent(ix.describe(error)));
}

/** Tells the client the gateway shut down: a `503` before the first byte, one error event after it. */
function shutDown(ix: Interception): Ending {
  const { message, status } = SHUTDOWN_ABORT;
  const httpStatus = ix.res.headersSent ? undefined : status;
  answer(ix, SHUTDOWN_ABORT);
  return { httpStatus, status: 'aborted', errorType: 'aborted', errorMessage: message };
}

/** The error a failed stream ends with; transport failures are logged (throttled), bugs always. */
export function streamFailure(err: unknown, log: FailureLog): GatewayError {
  if (err instanceof GatewayError) return err;
  const meta = { provider: log.providerName, interceptionId: log.interceptionId, error: errorMessage(err) };
  if (!isTransportError(err)) {
    log.logger.error('stream relay failed', meta);
    return INTERNAL_ERROR;
  }
  const failure = gatewayErrorMidBody(err, true);
  const suppressed = log.throttle.allow(`${log.providerName}:stream:${failure.code}`);
  if (suppressed !== false) log.logger.warn('upstream stream failed', { ...meta, code: failure.code, suppressed });
  return failure;
}
