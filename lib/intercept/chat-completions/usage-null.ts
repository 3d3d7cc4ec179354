/** Removes the `"usage":null` field the upstream adds to every chunk only because the bridge asked for usage. */
import { topLevelFieldSpan } from '../json-edit';

const AFTER_COMMA = Buffer.from(',"usage":null');
const BEFORE_COMMA = Buffer.from('"usage":null,');
const NULL_LENGTH = 4;

/**
 * The event's bytes without its top-level `"usage":null` (exactly `,"usage":null` or `"usage":null,`), or
 * undefined when those bytes are not there or are not provably the top-level field: then the event is relayed
 * as it came. The match is checked with the JSON scanner, so a nested field or text is never cut.
 */
export function stripUsageNull(raw: Buffer): Buffer | undefined {
  let pattern = AFTER_COMMA;
  let at = raw.indexOf(pattern);
  if (at < 0) {
    pattern = BEFORE_COMMA;
    at = raw.indexOf(pattern);
    if (at < 0) return undefined;
  }
  const nullAt = pattern === AFTER_COMMA ? at + pattern.length - NULL_LENGTH : at + pattern.length - 1 - NULL_LENGTH;
  const jsonStart = raw.indexOf(0x7b); // the `{` after `data: `
  const jsonEnd = raw.lastIndexOf(0x7d) + 1;
  if (jsonStart < 0 || jsonStart > at) return undefined;
  try {
    if (topLevelFieldSpan(raw.subarray(jsonStart, jsonEnd), 'usage')?.valueStart !== nullAt - jsonStart) return undefined;
  } catch {
    return undefined; // multi-line data or not an object: not ours to edit
  }
  return Buffer.concat([raw.subarray(0, at), raw.subarray(at + pattern.length)], raw.length - pattern.length);
}
