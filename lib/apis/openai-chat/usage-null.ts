/** Removes the `"usage":null` field the upstream adds to every chunk only because the bridge asked for usage. */
import { topLevelFieldSpan } from '../../json/json-edit';

const AFTER_COMMA = Buffer.from(',"usage":null');
const BEFORE_COMMA = Buffer.from('"usage":null,');
const NULL_LENGTH = 4;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

// Runs for every relayed chunk of a stream whose usage the bridge asked for: one allocation, the head copied by a typed
// array `set` (no `Buffer#copy` argument checks), the tail (mostly `}` and the blank line: a few bytes) by a byte loop.
function without(raw: Buffer, at: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(raw.length - length);
  out.set(new Uint8Array(raw.buffer, raw.byteOffset, at));
  for (let from = at + length, to = at; from < raw.length; from++, to++) out[to] = raw[from];
  return out;
}

/** Where the object's final `}` is: a few bytes from the end (the event's blank line), so scanned from there. */
function lastCloseBrace(raw: Buffer): number {
  for (let i = raw.length - 1; i >= 0; i--) if (raw[i] === CLOSE_BRACE) return i;
  return -1;
}

/** Whether `raw` holds `pattern` right before `end` (a byte loop: `Buffer.compare` with ranges costs more for 13 bytes). */
function endsBefore(raw: Buffer, pattern: Buffer, end: number): boolean {
  const start = end - pattern.length;
  if (start < 0) return false;
  for (let i = 0; i < pattern.length; i++) if (raw[start + i] !== pattern[i]) return false;
  return true;
}

/**
 * The event's bytes without its top-level `"usage":null` (exactly `,"usage":null` or `"usage":null,`), or
 * undefined when those bytes are not there or are not provably the top-level field: then the event is relayed
 * as it came. Call it only for chunks whose parsed top-level `usage` is null.
 */
export function stripUsageNull(raw: Buffer): Buffer | undefined {
  const close = lastCloseBrace(raw);
  // OpenAI writes usage last: `,"usage":null` right before the object's final `}` is a top-level member (a comma
  // inside a string would make the quote after it end that string), so no search and no scan is needed.
  if (endsBefore(raw, AFTER_COMMA, close)) return without(raw, close - AFTER_COMMA.length, AFTER_COMMA.length);
  let pattern = AFTER_COMMA;
  let at = raw.indexOf(pattern);
  if (at < 0) {
    pattern = BEFORE_COMMA;
    at = raw.indexOf(pattern);
    if (at < 0) return undefined;
  }
  const open = raw.indexOf(OPEN_BRACE);
  if (open < 0 || open > at) return undefined;
  const nullAt = pattern === AFTER_COMMA ? at + pattern.length - NULL_LENGTH : at + pattern.length - 1 - NULL_LENGTH;
  try {
    if (topLevelFieldSpan(raw.subarray(open, close + 1), 'usage')?.valueStart !== nullAt - open) return undefined;
  } catch {
    return undefined; // multi-line data or not an object: not ours to edit
  }
  return without(raw, at, pattern.length);
}
