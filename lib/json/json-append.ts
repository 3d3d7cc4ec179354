/** Appends items to a top-level array field of a JSON body by a byte edit: the client's own values are never re-serialised. */
import { setTopLevelField, topLevelFieldSpan } from './json-edit';

const WS = new Set([0x20, 0x0a, 0x0d, 0x09]);

/**
 * `raw` with `items` (JSON texts) appended to the array at top-level `key`; the field is created when missing.
 * A `key` whose value is not an array (e.g. `null`) is replaced by an array of `items`.
 */
export function appendToTopLevelArray(raw: Buffer, key: string, items: readonly string[]): Buffer {
  if (items.length === 0) return raw;
  const span = topLevelFieldSpan(raw, key);
  if (!span || raw[span.valueStart] !== 0x5b) return setTopLevelField(raw, key, `[${items.join(',')}]`);
  const close = span.valueEnd - 1;
  let last = close - 1;
  while (last > span.valueStart && WS.has(raw[last])) last--;
  const empty = last === span.valueStart;
  return Buffer.concat([raw.subarray(0, close), Buffer.from((empty ? '' : ',') + items.join(',')), raw.subarray(close)]);
}
