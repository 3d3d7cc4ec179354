/** Moves one upstream SSE body into a client stream, event by event, through an observer that may hide or rewrite events. */
import { SseDecoder, type SseEvent } from './sse-decoder';
import type { ClientStream } from './client-stream';

/** Decides what the client gets for each event: bytes to write now, or nothing. */
export interface EventFilter {
  accept(event: SseEvent): Buffer | undefined;
}

/** Thrown when one event grows past the bound (a runaway upstream). */
export class EventTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The upstream sent an event larger than ${limit} bytes.`);
    this.name = 'EventTooLargeError';
  }
}

async function forward(events: SseEvent[], filter: EventFilter, client: ClientStream): Promise<void> {
  for (const event of events) {
    const bytes = filter.accept(event);
    if (bytes) await client.write(bytes);
  }
}

/**
 * Pumps `body` until it ends; transport errors propagate to the caller, which owns the error event. `redact`
 * sees every decoded event first (it may replace them), before the filter reads them.
 */
export async function pumpEvents(body: AsyncIterable<unknown>, filter: EventFilter, client: ClientStream, maxEventBytes: number,
  redact: (events: SseEvent[]) => unknown): Promise<void> {
  const decoder = new SseDecoder();
  for await (const chunk of body) {
    const events = decoder.push(chunk as Buffer);
    redact(events);
    await forward(events, filter, client);
    if (decoder.pendingBytes > maxEventBytes) throw new EventTooLargeError(maxEventBytes);
  }
  const last = decoder.end();
  redact(last);
  await forward(last, filter, client);
}
