/** The error a stream that broke while its body was arriving ends with, the log line it is worth, and the one place its error event is built. */
import type { Logger } from 'winston';
import { GatewayError, INTERNAL_ERROR, gatewayErrorMidBody, isTransportError, type StreamError } from '../errors';
import type { LogThrottle } from '../observability/log-throttle';
import { errorMessage } from '../observability/logger';

/** Who failed, for the log lines a failure writes (an Interception is one). */
export interface FailureLog {
  readonly interceptionId: string;
  readonly providerName: string;
  readonly logger: Logger;
  /** Holds back repeated identical transport-failure lines. */
  readonly throttle: LogThrottle;
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

/** A stream that numbers its events: its error event must carry the next number. */
export interface NumberedStream {
  /** The error event for a failure after the stream began, when it depends on what was relayed (else the API's own). */
  errorEvent?(error: StreamError): string;
}

/** What a stream's error event is built from: the API's own event and the provider's words for a gateway error. */
export interface StreamErrorSource {
  readonly api: { streamErrorEvent(error: StreamError): string };
  describe(error: GatewayError): StreamError;
}

/** The one error event a stream that began ends with, numbered by `numbering` when the API numbers its events. */
export function streamErrorEvent(ix: StreamErrorSource, error: GatewayError, numbering?: NumberedStream): string {
  const event = ix.describe(error);
  return numbering?.errorEvent?.(event) ?? ix.api.streamErrorEvent(event);
}
