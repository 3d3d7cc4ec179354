/** How a failure ends an interception: the client's answer (provider-shaped, or one error event) and the end it records. */
import type { Response } from 'express';
import { GatewayError, gatewayErrorForTransport, isTransportError } from '../errors';
import type { ApiAdapter } from '../apis/api';
import type { ErrorShape } from '../apis/error-shape';
import { sendGatewayError } from '../http/respond';
import { errorMessage } from '../observability/logger';
import type { InterceptionEndedRecord } from '../recorder/types';
import { SHUTDOWN_ABORT, type ProviderRuntime } from './runtime';
import { streamErrorEvent, type FailureLog, type StreamErrorSource } from '../streaming/stream-failure';

/** How an interception ended, as its end record says (the id, time and key hint are added at the end). */
export type Ending = Omit<InterceptionEndedRecord, 'id' | 'endedAt' | 'credentialHint'>;

/** What answering a failure reads of the interception (an Interception is one). */
export interface FailingRequest extends FailureLog, StreamErrorSource {
  readonly res: Response;
  readonly signal: AbortSignal;
  readonly provider: ProviderRuntime;
  readonly api: ApiAdapter;
  /** The route's error shape (the API's). */
  readonly route: { readonly errors: ErrorShape };
}

/** The end of a request whose answering failed too (the bridge's last resort answers it). */
export const UNEXPECTED: Ending = { httpStatus: 500, status: 'failed', errorType: 'unknown', errorMessage: 'The gateway failed to handle this request.' };

const UNKNOWN_FAILURE = new GatewayError({ status: 500, errorType: 'unknown', code: 'internal_error', message: 'The gateway failed to handle this request.' });

/** Answers the client for `err` and returns the end it records; a client that left, or `close()`, ends it as aborted. */
export function endingOf(ix: FailingRequest, err: unknown): Ending {
  if (ix.signal.aborted) {
    if (ix.signal.reason !== SHUTDOWN_ABORT) return { status: 'aborted', errorType: 'aborted', errorMessage: 'The client went away.' };
    return shutDown(ix);
  }
  const error = gatewayErrorOf(ix, err);
  answer(ix, error);
  return { httpStatus: error.status, status: 'failed', errorType: error.errorType, errorCode: error.code, errorMessage: error.message };
}

/** The end of a request `close()` gave up on that did not end itself in time. */
export function forcedEnding(ix: FailingRequest, reason: Error): Ending {
  try {
    return endingOf(ix, reason);
  } catch {
    return UNEXPECTED;
  }
}

/** The gateway error `err` stands for (a transport failure mapped and logged, anything else logged as unexpected). */
export function gatewayErrorOf(ix: FailingRequest, err: unknown): GatewayError {
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

/** An answer in the API's error shape before the first byte; after it only a stream is still open: one error event, never a silent clean end. */
function answer(ix: FailingRequest, error: GatewayError): void {
  const { res } = ix;
  if (!res.headersSent) sendGatewayError(res, ix.route.errors, error);
  else if (!res.writableEnded) res.end(streamErrorEvent(ix, error));
}

/** Tells the client the gateway shut down: a `503` before the first byte, one error event after it. */
function shutDown(ix: FailingRequest): Ending {
  const { message, status } = SHUTDOWN_ABORT;
  const httpStatus = ix.res.headersSent ? undefined : status;
  answer(ix, SHUTDOWN_ABORT);
  return { httpStatus, status: 'aborted', errorType: 'aborted', errorMessage: message };
}
