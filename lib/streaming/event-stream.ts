/** What marks an answer as an event stream, how large one event may grow, and the two ways a stream goes wrong on its own. */
import { GatewayError } from '../errors';

/**
 * Largest single SSE event the relay holds while waiting for its end; real events are kilobytes. Past it the
 * upstream is cut and the client gets one `event_too_large` error event.
 */
export const MAX_EVENT_BYTES = 16 * 1024 * 1024;

export const EVENT_TOO_LARGE = new GatewayError({
  status: 502, errorType: 'server_error', code: 'event_too_large', message: `The upstream sent an event larger than ${MAX_EVENT_BYTES} bytes.`,
});

/** A stream that ended before the API's terminal event: treated as a failure, never as a clean end. */
export const STREAM_INCOMPLETE = new GatewayError({
  status: 502, errorType: 'server_error', code: 'stream_incomplete', message: 'The upstream stream ended before it was complete.',
});

/** Whether a `content-type` value (upstream or our own) is `text/event-stream`. */
export function isEventStream(contentType: unknown): boolean {
  return typeof contentType === 'string' && contentType.startsWith('text/event-stream');
}
