/** Moves one upstream SSE body into a client stream, event by event, through an observer that may hide or rewrite events. */
import { SseDecoder, type SseEvent } from './sse-decoder';
import type { ClientStream } from './client-stream';
import { EVENT_TOO_LARGE, MAX_EVENT_BYTES } from './event-stream';

/** Decides what the client gets for each event: bytes to write now, or nothing. */
export interface EventFilter {
  accept(event: SseEvent): Buffer | undefined;
}

async function forward(events: SseEvent[], filter: EventFilter, client: ClientStream): Promise<void> {
  for (const event of events) {
    const bytes = filter.accept(event);
    if (bytes) await client.write(bytes);
  }
}

/** Where a pumped body goes. */
export interface PumpTarget {
  readonly filter: EventFilter;
  readonly client: ClientStream;
  /** Sees every decoded event first (it may replace them), before the filter reads them. */
  redact(events: SseEvent[]): unknown;
}

/**
 * Pumps `body` until it ends; transport errors propagate to the caller, which owns the error event. An event
 * larger than {@link MAX_EVENT_BYTES} ends it with `event_too_large`.
 */
export async function pumpEvents(body: AsyncIterable<unknown>, { filter, client, redact }: PumpTarget): Promise<void> {
  const decoder = new SseDecoder();
  for await (const chunk of body) {
    const events = decoder.push(chunk as Buffer);
    redact(events);
    await forward(events, filter, client);
    if (decoder.pendingBytes > MAX_EVENT_BYTES) throw EVENT_TOO_LARGE;
  }
  const last = decoder.end();
  redact(last);
  await forward(last, filter, client);
}
