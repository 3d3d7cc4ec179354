/** One whole `application/vnd.amazon.eventstream` frame read in place: its CRCs checked, its string headers and body. */
import * as zlib from 'node:zlib';

/** Prelude (total length, headers length, prelude CRC) and message CRC: the smallest frame. */
export const MIN_FRAME_BYTES = 16;

/** A frame's string headers (`:message-type`, `:event-type`, …) and its body, a view into the frame. */
export interface EventStreamFrame {
  headers: Map<string, string>;
  body: Buffer;
}

const TABLE = /* @__PURE__ */ (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

function crc32Js(bytes: Buffer): number {
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

// node:zlib's (native) where Node has it (20.15+), the table above otherwise.
const native = (zlib as unknown as { crc32?: (data: Buffer) => number }).crc32;
const crc32: (bytes: Buffer) => number = typeof native === 'function' ? (b) => native(b) : crc32Js;

/** Bytes a header value of each type takes after its type byte (strings and byte arrays: a 2-byte length first). */
const FIXED_VALUE_BYTES = [0, 0, 1, 2, 4, 8, -1, -1, 8, 16];
const STRING = 7;

/**
 * Reads one whole frame (`frame.length` is its prelude's total length). Throws on a bad CRC, a headers length that
 * does not fit, or a header that runs past its section; keeps the string headers only (the ones Bedrock's events use).
 */
export function decodeFrame(frame: Buffer): EventStreamFrame {
  const total = frame.length;
  if (total < MIN_FRAME_BYTES || frame.readUInt32BE(0) !== total) throw new Error('frame length');
  const headersLength = frame.readUInt32BE(4);
  if (frame.readUInt32BE(8) !== crc32(frame.subarray(0, 8))) throw new Error('prelude CRC');
  if (frame.readUInt32BE(total - 4) !== crc32(frame.subarray(0, total - 4))) throw new Error('message CRC');
  const headersEnd = 12 + headersLength;
  if (headersEnd > total - 4) throw new Error('headers length');
  const headers = new Map<string, string>();
  let at = 12;
  while (at < headersEnd) {
    const nameLength = frame[at];
    const typeAt = at + 1 + nameLength;
    if (typeAt >= headersEnd) throw new Error('header name');
    const type = frame[typeAt];
    let valueAt = typeAt + 1;
    let next: number;
    if (type === STRING || type === 6) {
      if (valueAt + 2 > headersEnd) throw new Error('header value');
      const length = frame.readUInt16BE(valueAt);
      valueAt += 2;
      next = valueAt + length;
    } else {
      const size = FIXED_VALUE_BYTES[type];
      if (size === undefined) throw new Error('header type');
      next = valueAt + size;
    }
    if (next > headersEnd) throw new Error('header value');
    if (type === STRING) headers.set(frame.toString('utf8', at + 1, typeAt), frame.toString('utf8', valueAt, next));
    at = next;
  }
  return { headers, body: frame.subarray(headersEnd, total - 4) };
}
