/** Relays an SSE answer event by event: raw bytes unchanged, backpressure respected, failures made visible. */
import type { Response } from 'express';
import type { Logger } from 'winston';
import { GatewayError, INTERNAL_ERROR, errorTypeForUpstreamEvent, gatewayErrorMidBody, isTransportError } from '../errors';
import { errorMessage } from '../observability/logger';
import type { LogThrottle } from '../observability/log-throttle';
import type { ErrorType } from '../recorder/types';
import { redactEvents } from '../redaction/event-redaction';
import type { KeyScrub } from '../redaction/redactor';
import { SseDecoder, type SseEvent } from '../streaming/sse-decoder';
import type { UpstreamResponse } from '../upstream/upstream-client';
import type { ApiAdapter, StreamError, StreamObserver } from './api';
import { relayResponseHeaders } from './respond';

/**
 * Largest single SSE event the relay holds while waiting for its end; real events are kilobytes. Past it the
 * upstream is cut and the client gets one `event_too_large` error event.
 */
export const MAX_EVENT_BYTES = 16 * 1024 * 1024;

const EVENT_TOO_LARGE = new GatewayError({ status: 502, errorType: 'server_error', code: 'event_too_large', message: `The upstream sent an event larger than ${MAX_EVENT_BYTES} bytes.` });

/** How a relayed stream ended (a client that went away surfaces as a thrown abort instead). */
export interface StreamOutcome {
  status: 'completed' | 'failed';
  errorType?: ErrorType;
  errorMessage?: string;
}

/** Who is streaming, for logs, and how to keep keys out of what is relayed and recorded. */
export interface StreamContext {
  readonly signal: AbortSignal;
  readonly interceptionId: string;
  readonly providerName: string;
  readonly logger: Logger;
  /** Holds back repeated identical transport-failure lines. */
  readonly throttle: LogThrottle;
  /** This request's redaction (pool keys and a BYOK client's own key). */
  readonly scrub: KeyScrub;
  /** A gateway error in the provider's words, for the stream's error event. */
  describe(error: GatewayError): StreamError;
}

/** The error a failed stream ends with; transport failures are logged (throttled), bugs always. */
export function streamFailure(err: unknown, ctx: StreamContext): GatewayError {
  if (err instanceof GatewayError) return err;
  const meta = { provider: ctx.providerName, interceptionId: ctx.interceptionId, error: errorMessage(err) };
  if (!isTransportError(err)) {
    ctx.logger.error('stream relay failed', meta);
    return INTERNAL_ERROR;
  }
  const failure = gatewayErrorMidBody(err, true);
  const suppressed = ctx.throttle.allow(`${ctx.providerName}:stream:${failure.code}`);
  if (suppressed !== false) ctx.logger.warn('upstream stream failed', { ...meta, code: failure.code, suppressed });
  return failure;
}

function waitForDrain(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Writes the events the observer accepts; returns false when the client asks us to wait. */
function forward(res: Response, chunk: Buffer | undefined, events: SseEvent[], observer: StreamObserver): boolean {
  if (events.length === 0) return true;
  let size = 0;
  let edited = false;
  const accepted: Buffer[] = [];
  for (const event of events) {
    const verdict = observer.accept(event);
    if (verdict === false) continue;
    const bytes = verdict === true ? event.raw : verdict;
    if (bytes !== event.raw) edited = true;
    accepted.push(bytes);
    size += bytes.length;
  }
  if (accepted.length === 0) return true;
  // Most chunks hold exactly the events they complete: send the chunk itself, no copy.
  if (chunk && !edited && accepted.length === events.length && size === chunk.length) return res.write(chunk);
  return res.write(accepted.length === 1 ? accepted[0] : Buffer.concat(accepted, size));
}

function errorEvent(observer: StreamObserver, api: ApiAdapter, error: StreamError): string {
  return observer.errorEvent?.(error) ?? api.streamErrorEvent(error);
}

const INCOMPLETE = new GatewayError({ status: 502, errorType: 'server_error', code: 'stream_incomplete', message: 'The upstream stream ended before it was complete.' });

/**
 * Relays `upstream` (a 200 event stream) to the client. An upstream failure after the first byte becomes
 * one protocol error event; a stream that ends before its terminal event is treated the same way.
 */
export async function relayStream(
  upstream: UpstreamResponse,
  res: Response,
  observer: StreamObserver,
  api: ApiAdapter,
  ctx: StreamContext,
): Promise<StreamOutcome> {
  const { signal } = ctx;
  res.statusCode = upstream.status;
  relayResponseHeaders(res, upstream.headers, ctx.scrub);
  res.flushHeaders();
  const decoder = new SseDecoder();
  try {
    for await (const chunk of upstream.body) {
      const events = decoder.push(chunk as Buffer);
      const redacted = redactEvents(events, ctx.scrub);
      if (!forward(res, redacted ? undefined : chunk as Buffer, events, observer)) await waitForDrain(res);
      if (decoder.pendingBytes > MAX_EVENT_BYTES) throw EVENT_TOO_LARGE;
    }
    const last = decoder.end();
    redactEvents(last, ctx.scrub);
    forward(res, undefined, last, observer);
  } catch (err) {
    if (signal.aborted) throw err;
    const failure = streamFailure(err, ctx);
    res.end(errorEvent(observer, api, ctx.describe(failure)));
    return { status: 'failed', errorType: failure.errorType, errorMessage: failure.message };
  }
  if (observer.upstreamError) {
    res.end();
    const { message, type } = observer.upstreamError;
    return { status: 'failed', errorType: errorTypeForUpstreamEvent(type), errorMessage: message };
  }
  if (!observer.completed) {
    res.end(errorEvent(observer, api, ctx.describe(INCOMPLETE)));
    return { status: 'failed', errorType: INCOMPLETE.errorType, errorMessage: INCOMPLETE.message };
  }
  res.end();
  return { status: 'completed' };
}
