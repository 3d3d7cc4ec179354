/** The error a stream that broke while its body was arriving ends with, and the log line it is worth. */
import type { Logger } from 'winston';
import { GatewayError, INTERNAL_ERROR, gatewayErrorMidBody, isTransportError } from '../errors';
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
