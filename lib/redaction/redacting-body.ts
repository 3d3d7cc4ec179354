/** Redacts a body relayed as it arrives (passthrough), keys cut between two upstream chunks included. */
import { Transform, type TransformCallback } from 'node:stream';
import { SseDecoder, type SseEvent } from '../streaming/sse-decoder';
import { EVENT_TOO_LARGE, MAX_EVENT_BYTES } from '../streaming/event-stream';
import { redactEvents } from './event-redaction';
import type { KeyScrub } from './redactor';

/**
 * A stream that passes `scrub`'s redaction of what is written to it. An event stream is cut at event ends: each event
 * is checked whole and goes on as soon as it is complete (nothing is held past its end, so relaying stays live), at
 * most {@link MAX_EVENT_BYTES} of an unfinished one. Any other body keeps back its last `scrub.span() - 1` bytes until
 * the next chunk (or the end), so that a key starting in one chunk is seen whole with the rest of it.
 */
export function redactingBody(scrub: KeyScrub, eventStream: boolean): Transform {
  return eventStream ? redactingEvents(scrub) : redactingBytes(scrub);
}

function redactingEvents(scrub: KeyScrub): Transform {
  const decoder = new SseDecoder();
  const send = (stream: Transform, events: SseEvent[], chunk?: Buffer) => {
    if (events.length === 0) return;
    const changed = redactEvents(events, scrub);
    // The usual chunk holds exactly the events it completes, none changed: it goes on itself, no copy.
    if (!changed && chunk && isExactly(events, chunk)) return void stream.push(chunk);
    stream.push(events.length === 1 ? events[0].raw : Buffer.concat(events.map((e) => e.raw)));
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      send(this, decoder.push(chunk), chunk);
      done(decoder.pendingBytes > MAX_EVENT_BYTES ? EVENT_TOO_LARGE : null);
    },
    flush(done: TransformCallback) {
      send(this, decoder.end());
      done();
    },
  });
}

function redactingBytes(scrub: KeyScrub): Transform {
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      const data = held ? Buffer.concat([held, chunk]) : chunk;
      // Redacted up to the last whole UTF-8 character: a rewrite decodes text, and half a character would be lost.
      const end = wholeCharsEnd(data);
      const safe = scrub.bytes(data.subarray(0, end));
      // What could be the start of a key completed by the next chunk stays behind, cut at a character start too.
      const cut = charStart(safe, Math.min(safe.length, Math.max(0, safe.length - scrub.span() + 1)));
      if (cut > 0) this.push(safe.subarray(0, cut));
      held = cut === safe.length && end === data.length ? undefined : Buffer.concat([safe.subarray(cut), data.subarray(end)]);
      done();
    },
    flush(done: TransformCallback) {
      if (held) this.push(scrub.bytes(held));
      held = undefined;
      done();
    },
  });
}

/** Whether `events` are the bytes of `chunk`, all of them: the first starts at its start and their lengths add up to its. */
function isExactly(events: readonly SseEvent[], chunk: Buffer): boolean {
  const first = events[0].raw;
  if (first.buffer !== chunk.buffer || first.byteOffset !== chunk.byteOffset) return false;
  let size = 0;
  for (const event of events) size += event.raw.length;
  return size === chunk.length;
}

/** `at`, or the start of the UTF-8 character whose continuation byte is at `at`. */
function charStart(b: Buffer, at: number): number {
  while (at > 0 && at < b.length && (b[at] & 0xc0) === 0x80) at--;
  return at;
}

/** The length of `b` without a UTF-8 character its last bytes only begin. */
function wholeCharsEnd(b: Buffer): number {
  const start = charStart(b, b.length - 1);
  if (start < 0 || start >= b.length) return b.length;
  const lead = b[start];
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return start + size > b.length ? start : b.length;
}
