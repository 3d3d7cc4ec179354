/** Relays an SSE answer event by event: raw bytes unchanged, backpressure respected, failures made visible. */
import type { Response } from 'express';
import { errorTypeForUpstreamEvent } from '../errors';
import type { KeyScrub } from '../redaction/redactor';
import { streamErrorEvent, streamFailure, type FailureLog, type StreamErrorSource } from '../streaming/stream-failure';
import type { ErrorType } from '../recorder/types';
import { redactEvents } from '../redaction/event-redaction';
import { SseDecoder, type SseEvent } from '../streaming/sse-decoder';
import type { UpstreamResponse } from '../upstream/upstream-client';
import type { ApiAdapter, StreamObserver } from './api';
import { relayResponseHeaders } from './respond';
import { drained } from '../streaming/client-stream';
import { EVENT_TOO_LARGE, MAX_EVENT_BYTES, STREAM_INCOMPLETE } from '../streaming/event-stream';

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

/** Where accepted events go: the client, through the observer that judges each. */
interface Forwarding {
  readonly res: Response;
  readonly observer: StreamObserver;
}

/** Writes the events the observer accepts; returns false when the client asks us to wait. */
function forward(events: SseEvent[], chunk: Buffer | undefined, { res, observer }: Forwarding): boolean {
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

/**
 * Relays `upstream` (a 200 event stream) to the client. An upstream failure after the first byte becomes
 * one protocol error event; a stream that ends before its terminal event is treated the same way.
 */
export async function relayStream(ctx: StreamContext, upstream: UpstreamResponse, observer: StreamObserver): Promise<StreamOutcome> {
  const { signal, res } = ctx;
  res.statusCode = upstream.status;
  relayResponseHeaders(res, upstream.headers, ctx.scrub);
  res.flushHeaders();
  const decoder = new SseDecoder();
  const to: Forwarding = { res, observer };
  try {
    for await (const chunk of upstream.body) {
      const events = decoder.push(chunk as Buffer);
      const redacted = redactEvents(events, ctx.scrub);
      if (!forward(events, redacted ? undefined : chunk as Buffer, to)) await drained(res);
      if (decoder.pendingBytes > MAX_EVENT_BYTES) throw EVENT_TOO_LARGE;
    }
    const last = decoder.end();
    redactEvents(last, ctx.scrub);
    forward(last, undefined, to);
  } catch (err) {
    if (signal.aborted) throw err;
    const failure = streamFailure(err, ctx);
    res.end(streamErrorEvent(ctx, failure, observer));
    return { status: 'failed', errorType: failure.errorType, errorMessage: failure.message };
  }
  if (observer.upstreamError) {
    res.end();
    const { message, type } = observer.upstreamError;
    return { status: 'failed', errorType: errorTypeForUpstreamEvent(type), errorMessage: message };
  }
  if (!observer.completed) {
    res.end(streamErrorEvent(ctx, STREAM_INCOMPLETE, observer));
    return { status: 'failed', errorType: STREAM_INCOMPLETE.errorType, errorMessage: STREAM_INCOMPLETE.message };
  }
  res.end();
  return { status: 'completed' };
}
