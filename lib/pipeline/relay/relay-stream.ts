/** Relays an SSE answer event by event: raw bytes unchanged, backpressure respected, failures made visible. */
import type { Response } from 'express';
import { errorTypeForUpstreamEvent } from '../../errors';
import type { KeyScrub } from '../../redaction/redactor';
import { streamErrorEvent, streamFailure, type FailureLog, type StreamErrorSource } from '../../streaming/stream-failure';
import type { ErrorType } from '../../recorder/types';
import { redactEvents } from '../../redaction/event-redaction';
import { pumpEvents } from './stream-pump';
import type { UpstreamResponse } from '../../http/upstream-client';
import type { ApiAdapter, StreamObserver } from '../../apis/api';
import { relayResponseHeaders } from '../../http/respond';
import { ClientStream } from './client-stream';
import { STREAM_INCOMPLETE } from '../../streaming/event-stream';

/** How a relayed stream ended (a client that went away surfaces as a thrown abort instead). */
export interface StreamOutcome {
  status: 'completed' | 'failed';
  errorType?: ErrorType;
  errorMessage?: string;
}

/** What the relay reads of the interception (an Interception is one): its client response, abort signal, redaction, API, and who it is for logs. */
export interface StreamContext extends FailureLog, StreamErrorSource {
  readonly res: Response;
  readonly signal: AbortSignal;
  /** This request's redaction (pool keys and a BYOK client's own key). */
  readonly scrub: KeyScrub;
  readonly api: ApiAdapter;
}

/**
 * Relays `upstream` (a 200 event stream) to the client. An upstream failure after the first byte becomes
 * one protocol error event; a stream that ends before its terminal event is treated the same way.
 */
export async function relayStream(ctx: StreamContext, upstream: UpstreamResponse, observer: StreamObserver): Promise<StreamOutcome> {
  const client = new ClientStream(ctx.res, (res, headers) => relayResponseHeaders(res, headers, ctx.scrub));
  client.open(upstream.status, upstream.headers);
  try {
    await pumpEvents(upstream.body, { filter: observer, client, redact: (events) => redactEvents(events, ctx.scrub), release: () => observer.release?.() });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const failure = streamFailure(err, ctx);
    client.end(streamErrorEvent(ctx, failure, observer));
    return { status: 'failed', errorType: failure.errorType, errorMessage: failure.message };
  }
  if (observer.upstreamError) {
    client.end(); // the upstream's error event was relayed as it came
    const { message, type } = observer.upstreamError;
    return { status: 'failed', errorType: errorTypeForUpstreamEvent(type), errorMessage: message };
  }
  if (!observer.completed) {
    client.end(streamErrorEvent(ctx, STREAM_INCOMPLETE, observer));
    return { status: 'failed', errorType: STREAM_INCOMPLETE.errorType, errorMessage: STREAM_INCOMPLETE.message };
  }
  client.end();
  return { status: 'completed' };
}
