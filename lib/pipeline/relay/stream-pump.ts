/** Moves one upstream SSE body into a client stream, event by event, through an observer that may hide or rewrite events. */
import { SseDecoder, type SseEvent } from '../../streaming/sse-decoder';
import type { ClientStream } from './client-stream';
import { EVENT_TOO_LARGE, MAX_EVENT_BYTES } from '../../streaming/event-stream';

/** Decides what the client gets for each event: its raw bytes (unchanged), new bytes, or nothing (hidden or held). */
export interface EventFilter {
  accept(event: SseEvent): Buffer | undefined;
  /** The API's terminal event went through {@link accept}: what follows is the body's end, the client stream's end soon after. */
  readonly completed?: boolean;
}

/** Where a pumped body goes. */
export interface PumpTarget {
  readonly filter: EventFilter;
  readonly client: ClientStream;
  /** Sees every decoded event first (it may replace them), before the filter reads them; true when it replaced one. */
  redact(events: SseEvent[]): boolean;
  /** Bytes the filter withheld until something outside the stream is done (see StreamObserver.release), written once they may go. */
  release?(): Promise<Buffer> | undefined;
  /** Checked after each chunk: an error stops the pump there (e.g. a budget enforced during streams ran out). */
  readonly stop?: () => Error | undefined;
}

/** Writes what the filter withheld once it may go (after the events forwarded before it). */
async function writeReleased(client: ClientStream, held: Promise<Buffer>): Promise<void> {
  const wait = client.write(await held);
  if (wait) await wait;
}

/** Whether `raw` begins at the first byte of `chunk` (the decoder hands out views of the chunk when it can). */
function startsAt(raw: Buffer, chunk: Buffer): boolean {
  return raw.buffer === chunk.buffer && raw.byteOffset === chunk.byteOffset;
}

/**
 * Writes what the filter lets through of one chunk's events, in one write. Most chunks hold exactly the events
 * they complete, all forwarded unchanged: then the chunk itself is written, no copy.
 */
function forward(events: SseEvent[], chunk: Buffer | undefined, { filter, client }: PumpTarget): Promise<void> | undefined {
  if (events.length === 0) return undefined;
  // Most chunks hold one event: no list of what was accepted.
  if (events.length === 1) {
    const bytes = filter.accept(events[0]);
    return bytes === undefined ? undefined : client.write(bytes);
  }
  let size = 0;
  let edited = false;
  const accepted: Buffer[] = [];
  for (const event of events) {
    const bytes = filter.accept(event);
    if (bytes === undefined) continue;
    if (bytes !== event.raw) edited = true;
    accepted.push(bytes);
    size += bytes.length;
  }
  if (accepted.length === 0) return undefined;
  // The chunk stands for its events only when they start where it starts: one may be the end of an event begun in an
  // earlier chunk, and the chunk's length may then match by chance while it ends with part of the next event.
  if (chunk && !edited && accepted.length === events.length && size === chunk.length && startsAt(events[0].raw, chunk)) return client.write(chunk);
  return client.write(accepted.length === 1 ? accepted[0] : Buffer.concat(accepted, size));
}

/**
 * Pumps `body` until it ends, respecting the client's backpressure; transport errors propagate to the caller,
 * which owns the error event. An event larger than {@link MAX_EVENT_BYTES} ends it with `event_too_large`.
 */
export async function pumpEvents(body: AsyncIterable<unknown>, target: PumpTarget): Promise<void> {
  const decoder = new SseDecoder();
  let headSent = false;
  let holding = false;
  for await (const chunk of body) {
    const events = decoder.push(chunk as Buffer);
    const redacted = target.redact(events);
    const wait = forward(events, redacted ? undefined : chunk as Buffer, target);
    // The head leaves with the first bytes written; when the first chunk wrote none, the client still gets it now.
    if (!headSent) {
      headSent = true;
      target.client.sendHead();
    }
    // The terminal event's bytes wait for the stream's end (mostly within the same turn), to leave in one write with it.
    if (!holding && target.filter.completed === true) {
      holding = true;
      target.client.holdWrites();
    }
    if (wait) await wait;
    // Checked without a promise: almost every chunk has nothing withheld.
    const held = target.release?.();
    if (held) await writeReleased(target.client, held);
    if (decoder.pendingBytes > MAX_EVENT_BYTES) throw EVENT_TOO_LARGE;
    const stop = target.stop?.();
    if (stop) throw stop;
  }
  const last = decoder.end();
  target.redact(last);
  await forward(last, undefined, target);
  const held = target.release?.();
  if (held) await writeReleased(target.client, held);
}
