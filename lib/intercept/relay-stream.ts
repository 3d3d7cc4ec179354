/** Relays an SSE answer event by event: raw bytes unchanged, backpressure respected, failures made visible. */
import type { Response } from 'express';
import { GatewayError, gatewayErrorForTransport } from '../errors';
import type { ErrorType } from '../recorder/types';
import { SseDecoder, type SseEvent } from '../streaming/sse-decoder';
import type { UpstreamResponse } from '../upstream/upstream-client';
import type { ApiAdapter, StreamObserver } from './api';
import { relayResponseHeaders } from './respond';

/** Largest single SSE event the relay holds while waiting for its end; real events are kilobytes. */
export const MAX_EVENT_BYTES = 16 * 1024 * 1024;

const EVENT_TOO_LARGE = new GatewayError(502, 'server_error', 'event_too_large', `The upstream sent an event larger than ${MAX_EVENT_BYTES} bytes.`);

/** How a relayed stream ended (a client that went away surfaces as a thrown abort instead). */
export interface StreamOutcome {
  status: 'completed' | 'failed';
  errorType?: ErrorType;
  errorMessage?: string;
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

/**
 * Relays `upstream` (a 200 event stream) to the client. An upstream failure after the first byte becomes
 * one protocol error event; a stream that ends before its terminal event is treated the same way.
 */
export async function relayStream(
  upstream: UpstreamResponse,
  res: Response,
  observer: StreamObserver,
  api: ApiAdapter,
  signal: AbortSignal,
): Promise<StreamOutcome> {
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
    const failure = gatewayErrorForTransport(err);
    res.end(api.streamErrorEvent({ message: failure.message, type: failure.errorType, code: failure.code }));
    return { status: 'failed', errorType: failure.errorType, errorMessage: failure.message };
  }
  if (observer.upstreamError) {
    res.end();
    return { status: 'failed', errorType: 'server_error', errorMessage: observer.upstreamError.message };
  }
  if (!observer.completed) {
    const message = 'The upstream stream ended before it was complete.';
    res.end(api.streamErrorEvent({ message, type: 'server_error', code: 'stream_incomplete' }));
    return { status: 'failed', errorType: 'server_error', errorMessage: message };
  }
  res.end();
  return { status: 'completed' };
}
