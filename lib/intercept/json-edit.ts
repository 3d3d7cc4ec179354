/** TEMPORARY: minimal top-level JSON field edits (replaced on merge by the full scanner). */

export interface Span { start: number; end: number }

function skipWs(raw: Buffer, i: number): number {
  while (i < raw.length && (raw[i] === 0x20 || raw[i] === 0x0a || raw[i] === 0x0d || raw[i] === 0x09)) i++;
  return i;
}

function skipString(raw: Buffer, i: number): number {
  i++;
  while (i < raw.length) {
    if (raw[i] === 0x5c) i += 2;
    else if (raw[i] === 0x22) return i + 1;
    else i++;
  }
  return i;
}

function skipValue(raw: Buffer, i: number): number {
  if (raw[i] === 0x22) return skipString(raw, i);
  if (raw[i] === 0x7b || raw[i] === 0x5b) {
    let depth = 0;
    while (i < raw.length) {
      const c = raw[i];
      if (c === 0x22) { i = skipString(raw, i); continue; }
      if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) { depth--; if (depth === 0) return i + 1; }
      i++;
    }
    return i;
  }
  while (i < raw.length && ![0x2c, 0x7d, 0x5d, 0x20, 0x0a, 0x0d, 0x09].includes(raw[i])) i++;
  return i;
}

export function topLevelFieldSpan(raw: Buffer, key: string): Span | undefined {
  let i = skipWs(raw, 0);
  if (raw[i] !== 0x7b) return undefined;
  i++;
  let found: Span | undefined;
  for (;;) {
    i = skipWs(raw, i);
    if (raw[i] === 0x7d || i >= raw.length) return found;
    const keyStart = i;
    i = skipString(raw, i);
    const name = JSON.parse(raw.toString('utf8', keyStart, i)) as string;
    i = skipWs(raw, i);
    i++; // colon
    i = skipWs(raw, i);
    const start = i;
    i = skipValue(raw, i);
    if (name === key) found = { start, end: i };
    i = skipWs(raw, i);
    if (raw[i] === 0x2c) i++;
  }
}

export function setTopLevelField(raw: Buffer, key: string, valueJson: string): Buffer {
  const span = topLevelFieldSpan(raw, key);
  if (span) return Buffer.concat([raw.subarray(0, span.start), Buffer.from(valueJson), raw.subarray(span.end)]);
  const open = raw.indexOf(0x7b);
  const rest = skipWs(raw, open + 1);
  const sep = raw[rest] === 0x7d ? '' : ',';
  return Buffer.concat([raw.subarray(0, open + 1), Buffer.from(`${JSON.stringify(key)}:${valueJson}${sep}`), raw.subarray(open + 1)]);
}
