/** Redacts relayed SSE events as they are decoded, whatever their shape, before any observer reads or rewrites them. */
import { SseDecoder, type SseEvent } from '../streaming/sse-decoder';
import type { KeyScrub } from './redactor';

/** The event `raw` parses to (a redacted event is parsed again, so what observers read matches what is relayed). */
function reparse(raw: Buffer): SseEvent {
  const decoder = new SseDecoder();
  const [event] = [...decoder.push(raw), ...decoder.end()];
  return { ...event, raw };
}

/**
 * Replaces, in place, every event whose bytes quote a key by its redacted form: the one place streamed client bytes
 * are redacted, on the plain relay and in the tool loop. Recognising error shapes is not needed (and is what
 * failed): every event's bytes are checked. Returns true when an event changed, so the caller cannot relay the
 * original chunk instead of the events.
 */
export function redactEvents(events: SseEvent[], scrub: KeyScrub): boolean {
  // The events of one chunk usually lie side by side in it: one test of their span clears them all.
  if (events.length > 1) {
    const span = adjacentSpan(events);
    if (span && !scrub.mayHold(span)) return false;
  }
  let changed = false;
  for (let i = 0; i < events.length; i++) {
    const raw = events[i].raw;
    const safe = scrub.bytes(raw);
    if (safe === raw) continue;
    events[i] = reparse(safe);
    changed = true;
  }
  return changed;
}

/** A view of the bytes of `events` when each one's raw bytes start where the previous one's end, in one buffer. */
function adjacentSpan(events: readonly SseEvent[]): Buffer | undefined {
  const first = events[0].raw;
  let end = first.byteOffset + first.length;
  for (let i = 1; i < events.length; i++) {
    const raw = events[i].raw;
    if (raw.buffer !== first.buffer || raw.byteOffset !== end) return undefined;
    end += raw.length;
  }
  return Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset);
}
