/** Removes the `"usage":null` field the upstream adds to every chunk only because the bridge asked for usage. */
import { topLevelFieldSpan } from '../../json/json-edit';

const AFTER_COMMA = Buffer.from(',"usage":null');
const BEFORE_COMMA = Buffer.from('"usage":null,');
const NULL_LENGTH = 4;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function without(raw: Buffer, at: number, length: number): Buffer {
  return Buffer.concat([raw.subarray(0, at), raw.subarray(at + length)], raw.length - length);
}

/**
 * The event's bytes without its top-level `"usage":null` (exactly `,"usage":null` or `"usage":null,`), or
 * undefined when those bytes are not there or are not provably the top-level field: then the event is relayed
 * as it came. Call it only for chunks whose parsed top-level `usage` is null.
 */
export function stripUsageNull(raw: Buffer): Buffer | undefined {
  const close = raw.lastIndexOf(CLOSE_BRACE);
  // OpenAI writes usage last: `,"usage":null` right before the object's final `}` is a top-level member (a comma
  // inside a string would make the quote after it end that string), so no search and no scan is needed.
  const last = close - AFTER_COMMA.length;
  if (last >= 0 && raw.compare(AFTER_COMMA, 0, AFTER_COMMA.length, last, close) === 0) return without(raw, last, AFTER_COMMA.length);
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
