/** Byte-level edits of a JSON object's top-level fields: the rest of the client's bytes stay exactly as sent. */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** Where one top-level field sits in the bytes (offsets into the buffer; ends exclusive). */
export interface FieldSpan {
  /** The opening quote of the key. */
  keyStart: number;
  /** First byte of the value. */
  valueStart: number;
  /** One past the last byte of the value. */
  valueEnd: number;
}

/** The bytes are not one JSON object (callers only edit bodies that `JSON.parse` already accepted). */
export class JsonEditError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at byte ${offset}`);
    this.name = 'JsonEditError';
  }
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function skipSpace(raw: Buffer, at: number): number {
  while (at < raw.length && isSpace(raw[at])) at++;
  return at;
}

// Strings longer than this are skipped with memchr (indexOf); shorter ones byte by byte, which is cheaper for them.
const LONG_STRING = 64;

/** `at` is an opening quote; returns one past the closing quote. */
function skipString(raw: Buffer, at: number): number {
  const len = raw.length;
  const shortEnd = Math.min(len, at + LONG_STRING);
  let i = at + 1;
  for (; i < shortEnd; i++) {
    const b = raw[i];
    if (b === QUOTE) return i + 1;
    if (b === BACKSLASH) i++;
  }
  if (i >= len) throw new JsonEditError('unterminated string', at);
  // `i` is outside any escape here; each candidate quote is escaped iff an odd run of backslashes precedes it.
  for (let quote = raw.indexOf(QUOTE, i); ; quote = raw.indexOf(QUOTE, quote + 1)) {
    if (quote < 0) throw new JsonEditError('unterminated string', at);
    let backslashes = 0;
    while (quote - 1 - backslashes >= i && raw[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
  }
}

/** `at` is the first byte of a value; returns one past its last byte. Nesting is counted, never recursed into. */
function skipValue(raw: Buffer, at: number): number {
  const first = raw[at];
  if (first === QUOTE) return skipString(raw, at);
  if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) {
    let end = at;
    while (end < raw.length) {
      const b = raw[end];
      if (b === COMMA || b === CLOSE_OBJECT || b === CLOSE_ARRAY || isSpace(b)) break;
      end++;
    }
    if (end === at) throw new JsonEditError('value expected', at);
    return end;
  }
  let depth = 0;
  let i = at;
  while (i < raw.length) {
    const b = raw[i];
    if (b === QUOTE) {
      i = skipString(raw, i);
      continue;
    }
    if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++;
    else if ((b === CLOSE_OBJECT || b === CLOSE_ARRAY) && --depth === 0) return i + 1;
    i++;
  }
  throw new JsonEditError('unterminated value', at);
}

function keyEquals(raw: Buffer, start: number, end: number, key: string, keyBytes: Buffer): boolean {
  const length = end - start - 2;
  if (length === keyBytes.length) {
    let i = 0;
    while (i < length && raw[start + 1 + i] === keyBytes[i]) i++;
    if (i === length) return true;
  }
  // Escapes (`"stream\u005foptions"`) name the same key for JSON.parse, and only ever make it longer.
  if (length <= keyBytes.length) return false;
  for (let i = start + 1; i < end - 1; i++) {
    if (raw[i] === BACKSLASH) return JSON.parse(raw.toString('utf8', start, end)) === key;
  }
  return false;
}

const encodedKeys = new Map<string, Buffer>();

function encodeKey(key: string): Buffer {
  let bytes = encodedKeys.get(key);
  if (!bytes) {
    bytes = Buffer.from(key, 'utf8');
    // Callers edit a handful of fixed keys; the bound only stops a misuse from growing it forever.
    if (encodedKeys.size < 64) encodedKeys.set(key, bytes);
  }
  return bytes;
}

interface ObjectScan {
  /** Offset of the object's `{`. */
  open: number;
  empty: boolean;
  /** The last field named `key` (the one `JSON.parse` keeps), if any. */
  field: FieldSpan | undefined;
}

/** Visits every field of the JSON object in `raw`, in order, repeated keys included (`keyEnd` is one past the key's closing quote). */
function walkObject(raw: Buffer, visit: (keyStart: number, keyEnd: number, valueStart: number, valueEnd: number) => void): { open: number; empty: boolean } {
  // A UTF-8 byte order mark is not JSON whitespace, but it may precede the object.
  let at = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? 3 : 0;
  at = skipSpace(raw, at);
  if (raw[at] !== OPEN_OBJECT) throw new JsonEditError('object expected', at);
  const open = at;
  at = skipSpace(raw, at + 1);
  if (raw[at] === CLOSE_OBJECT) return { open, empty: true };
  for (;;) {
    if (raw[at] !== QUOTE) throw new JsonEditError('key expected', at);
    const keyStart = at;
    const keyEnd = skipString(raw, at);
    at = skipSpace(raw, keyEnd);
    if (raw[at] !== COLON) throw new JsonEditError('colon expected', at);
    const valueStart = skipSpace(raw, at + 1);
    const valueEnd = skipValue(raw, valueStart);
    visit(keyStart, keyEnd, valueStart, valueEnd);
    at = skipSpace(raw, valueEnd);
    if (raw[at] === CLOSE_OBJECT) return { open, empty: false };
    if (raw[at] !== COMMA) throw new JsonEditError('comma or } expected', at);
    at = skipSpace(raw, at + 1);
  }
}

function scanObject(raw: Buffer, key: string): ObjectScan {
  const keyBytes = encodeKey(key);
  let field: FieldSpan | undefined;
  const { open, empty } = walkObject(raw, (keyStart, keyEnd, valueStart, valueEnd) => {
    if (keyEquals(raw, keyStart, keyEnd, key, keyBytes)) field = { keyStart, valueStart, valueEnd };
  });
  return { open, empty, field };
}

/** One field of an object as {@link objectFields} reads it: its key decoded, its value's span. */
export interface NamedField {
  key: string;
  valueStart: number;
  valueEnd: number;
}

/** Every field of the JSON object in `raw`, in order and with repeated keys (what any parser might keep), keys decoded. */
export function objectFields(raw: Buffer): NamedField[] {
  const fields: NamedField[] = [];
  walkObject(raw, (keyStart, keyEnd, valueStart, valueEnd) => {
    // Escapes (`"\u0069d"`) name the same key for a parser: decode them; a plain key is its bytes.
    let escaped = false;
    for (let i = keyStart + 1; i < keyEnd - 1 && !escaped; i++) escaped = raw[i] === BACKSLASH;
    const key = escaped ? JSON.parse(raw.toString('utf8', keyStart, keyEnd)) as string : raw.toString('utf8', keyStart + 1, keyEnd - 1);
    fields.push({ key, valueStart, valueEnd });
  });
  return fields;
}

/** The spans (`[start, end)`) of the elements of the JSON array that `raw` holds. */
export function arrayElements(raw: Buffer): Array<[number, number]> {
  let at = skipSpace(raw, 0);
  if (raw[at] !== OPEN_ARRAY) throw new JsonEditError('array expected', at);
  const elements: Array<[number, number]> = [];
  at = skipSpace(raw, at + 1);
  if (raw[at] === CLOSE_ARRAY) return elements;
  for (;;) {
    const end = skipValue(raw, at);
    elements.push([at, end]);
    at = skipSpace(raw, end);
    if (raw[at] === CLOSE_ARRAY) return elements;
    if (raw[at] !== COMMA) throw new JsonEditError('comma or ] expected', at);
    at = skipSpace(raw, at + 1);
  }
}

/** The span of the top-level field `key` of the JSON object in `raw` (the last one when the key repeats), if present. */
export function topLevelFieldSpan(raw: Buffer, key: string): FieldSpan | undefined {
  return scanObject(raw, key).field;
}

/**
 * `raw` with the top-level field `key` set to `valueJson` (serialised JSON, written as given): the value of the
 * last `key` is replaced in place, or `"key":value` is inserted right after the opening `{`. Nothing else changes.
 */
export function setTopLevelField(raw: Buffer, key: string, valueJson: string): Buffer {
  const { open, empty, field } = scanObject(raw, key);
  if (field) {
    return Buffer.concat([raw.subarray(0, field.valueStart), Buffer.from(valueJson, 'utf8'), raw.subarray(field.valueEnd)]);
  }
  const inserted = `${JSON.stringify(key)}:${valueJson}${empty ? '' : ','}`;
  return Buffer.concat([raw.subarray(0, open + 1), Buffer.from(inserted, 'utf8'), raw.subarray(open + 1)]);
}

/** `raw` with `value` set inside the top-level object field `outer` (created, or replacing a non-object value). */
export function setNestedField(raw: Buffer, outer: string, key: string, valueJson: string): Buffer {
  const { field } = scanObject(raw, outer);
  if (!field || raw[field.valueStart] !== OPEN_OBJECT) return setTopLevelField(raw, outer, `{${JSON.stringify(key)}:${valueJson}}`);
  const inner = setTopLevelField(raw.subarray(field.valueStart, field.valueEnd), key, valueJson);
  return Buffer.concat([raw.subarray(0, field.valueStart), inner, raw.subarray(field.valueEnd)]);
}

/** `raw` without the top-level field `key` (every occurrence) and the comma that joined it; unchanged when absent. */
export function removeTopLevelField(raw: Buffer, key: string): Buffer {
  for (let span = topLevelFieldSpan(raw, key); span; span = topLevelFieldSpan(raw, key)) {
    const after = skipSpace(raw, span.valueEnd);
    let from = span.keyStart;
    let to = span.valueEnd;
    if (raw[after] === COMMA) {
      to = skipSpace(raw, after + 1);
    } else {
      let before = span.keyStart - 1;
      while (before > 0 && isSpace(raw[before])) before--;
      if (raw[before] === COMMA) from = before; // the last field: the comma before it goes
    }
    raw = Buffer.concat([raw.subarray(0, from), raw.subarray(to)]);
  }
  return raw;
}
