/** Redacts a body relayed as it arrives (passthrough), keys cut between two upstream chunks included. */
import { Transform, type TransformCallback } from 'node:stream';
import type { KeyScrub } from './redactor';

const LF = 0x0a;
const CR = 0x0d;

/**
 * A stream that passes `scrub`'s redaction of what is written to it. What could be the start of a key that the next
 * chunk completes is kept back until then (or the end): the bytes after the chunk's last line end, and of those at
 * most `scrub.span() - 1`. A key holds no line end (it travels in a header), so an event stream, whose events end
 * with one, is relayed live, each chunk as it came when it quotes no key.
 */
export function redactingBody(scrub: KeyScrub): Transform {
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      const data = held ? Buffer.concat([held, chunk]) : chunk;
      // Redacted up to the last whole UTF-8 character: a rewrite decodes text, and half a character would be lost.
      const end = wholeCharsEnd(data);
      const safe = scrub.bytes(end === data.length ? data : data.subarray(0, end));
      const lineEnd = Math.max(safe.lastIndexOf(LF), safe.lastIndexOf(CR)) + 1;
      const cut = Math.max(lineEnd, charStart(safe, Math.min(safe.length, Math.max(0, safe.length - scrub.span() + 1))));
      if (cut === safe.length && end === data.length) {
        held = undefined;
        this.push(safe);
      } else {
        if (cut > 0) this.push(safe.subarray(0, cut));
        held = Buffer.concat([safe.subarray(cut), data.subarray(end)]);
      }
      done();
    },
    flush(done: TransformCallback) {
      if (held) this.push(scrub.bytes(held));
      held = undefined;
      done();
    },
  });
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
