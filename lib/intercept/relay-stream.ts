/** Relays an SSE answer event by event: raw bytes unchanged, backpressure respected, failures made visible. */
import type { Response } from 'express';
import type { Logger } from 'winston';
import { GatewayError, INTERNAL_ERROR, errorTypeForUpstreamEvent, gatewayErrorMidBody, isTransportError } from '../errors';
import type { KeyRedactor } from '../keypool/key-redactor';
import { errorMessage } from '../observability/logger';
import type { LogThrottle } from '../observability/log-throttle';
import type { ErrorType } from '../recorder/types';
import { SseDecoder, type SseEvent } from '../streaming/sse-decoder';
import type { UpstreamResponse } from '../upstream/upstream-client';
import type { ApiAdapter, StreamError, StreamObserver } from './api';
import { relayResponseHeaders } from './respond';

/**
 * Largest single SSE event the relay holds while waiting for its end; real events are kilobytes. Past it the
 * upstream is cut and the client gets one `event_too_large` error event.
 */
export const MAX_EVENT_BYTES = 16 * 1024 * 1024;

const EVENT_TOO_LARGE = new GatewayError(502, 'server_error', 'event_too_large', `The upstream sent an event larger than ${MAX_EVENT_BYTES} bytes.`);

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
  readonly redactor: KeyRedactor;
  /** A BYOK client's own key, redacted like a pool key. */
  readonly extraKey: string | undefined;
  /** A gateway error in the provider's words, for the stream's error event. */
  describe(error: GatewayError): StreamError;
}

/**
 * Redacts the bytes of every event the observer reports as an upstream error (the only events that can carry
 * upstream-written text about our credentials); all other events pass untouched and unscanned.
 */
function redactErrorEvents(observer: StreamObserver, ctx: StreamContext): StreamObserver {
  return {
    accept(event) {
      const before = observer.upstreamError;
      const accepted = observer.accept(event);
      if (observer.upstreamError !== before) event.raw = ctx.redactor.redactBuffer(event.raw, ctx.extraKey);
      return accepted;
    },
    get completed() {
      return observer.completed;
    },
    get upstreamError() {
      return observer.upstreamError;
    },
    finish: () => observer.finish(),
    errorEvent: observer.errorEvent && ((error) => observer.errorEvent!(error)),
  };
}

/** The error a failed stream ends with; transport failures are logged (throttled), bugs always. */
export function streamFailure(err: unknown, ctx: StreamContext): GatewayError {
  if (err instanceof GatewayError) return err;
  const meta = { provider: ctx.providerName, interceptionId: ctx.interceptionId, error: ctx.redactor.redact(errorMessage(err), ctx.extraKey) };
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

const INCOMPLETE = new GatewayError(502, 'server_error', 'stream_incomplete', 'The upstream stream ended before it was complete.');

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
  observer = redactErrorEvents(observer, ctx);
  res.statusCode = upstream.status;
  relayResponseHeaders(res, upstream.headers);
  res.flushHeaders();
  const decoder = new SseDecoder();
  try {
    for await (const chunk of upstream.body) {
      if (!forward(res, chunk as Buffer, decoder.push(chunk as Buffer), observer)) await waitForDrain(res);
      if (decoder.pendingBytes > MAX_EVENT_BYTES) throw EVENT_TOO_LARGE;
    }
    forward(res, undefined, decoder.end(), observer);
  } catch (err) {
    if (signal.aborted) throw err;
    const failure = streamFailure(err, ctx);
    res.end(errorEvent(observer, api, ctx.describe(failure)));
    return { status: 'failed', errorType: failure.errorType, errorMessage: failure.message };
  }
  if (observer.upstreamError) {
    res.end();
    const { message, type } = observer.upstreamError;
    return { status: 'failed', errorType: errorTypeForUpstreamEvent(type), errorMessage: ctx.redactor.redact(message, ctx.extraKey) };
  }
  if (!observer.completed) {
    res.end(errorEvent(observer, api, ctx.describe(INCOMPLETE)));
    return { status: 'failed', errorType: INCOMPLETE.errorType, errorMessage: INCOMPLETE.message };
  }
  res.end();
  return { status: 'completed' };
}
