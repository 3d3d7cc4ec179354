// Incremental byte-level Server-Sent Events decoder that keeps every block's exact bytes for forwarding.

/** One blank-line-terminated SSE block, parsed, plus the bytes it arrived as. */
export interface SseEvent {
  /** Value of the last `event:` field, if any. */
  event?: string;
  /** `data:` lines joined with '\n'; undefined when the block had no data field. */
  data?: string;
  id?: string;
  retry?: number;
  /**
   * The exact bytes of this block as received, including its line terminators and the terminating
   * blank line. It may share memory with the pushed chunk (no copy when a block fits in one chunk),
   * so callers must not reuse a chunk's buffer after pushing it.
   */
  raw: Buffer;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const DIGITS = /^[0-9]+$/;

const DATA = Buffer.from('data');

/** The field name in `line[start, end)`: `data` (nearly every line) compared in place, no string made for it. */
function fieldName(line: Buffer, start: number, end: number): string {
  if (end - start === 4 && line[start] === DATA[0] && line[start + 1] === DATA[1] && line[start + 2] === DATA[2] && line[start + 3] === DATA[3]) return 'data';
  return line.toString('latin1', start, end);
}

/**
 * Splits a byte stream into SSE blocks (WHATWG parsing rules) without ever dropping or altering a
 * byte: the concatenated `raw` of everything returned equals the input, so a proxy can relay
 * blocks verbatim while still inspecting them.
 */
export class SseDecoder {
  // Bytes of the block in progress, kept as views so a block spread over many chunks is copied once.
  private pending: Buffer[] = [];
  private pendingLength = 0;
  // The unterminated line, as views; only concatenated when a line really spans chunks.
  private lineParts: Buffer[] = [];
  // A chunk ended on '\r': the next byte decides whether it was '\r\n'.
  private crPending = false;
  // That '\r' ended a blank line: the block is complete but its raw bytes may still gain a '\n'.
  private blockEndPending = false;
  private firstLine = true;
  private event: string | undefined;
  private data: string | undefined;
  private id: string | undefined;
  private retry: number | undefined;
  private hasFields = false;

  push(chunk: Uint8Array): SseEvent[] {
    const out: SseEvent[] = [];
    const c = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const len = c.length;
    if (len === 0) return out;

    let pos = 0;
    let blockStart = 0;
    if (this.crPending) {
      this.crPending = false;
      if (c[0] === LF) pos = 1;
      if (this.blockEndPending) {
        this.blockEndPending = false;
        out.push(this.finishBlock(c.subarray(0, pos)));
        blockStart = pos;
      }
    }

    let lf = c.indexOf(LF, pos);
    let cr = c.indexOf(CR, pos);
    while (lf !== -1 || cr !== -1) {
      // Re-search a terminator only once the cursor has moved past it: each byte is scanned once per kind.
      if (lf !== -1 && lf < pos) lf = c.indexOf(LF, pos);
      if (cr !== -1 && cr < pos) cr = c.indexOf(CR, pos);
      if (lf === -1 && cr === -1) break;

      let eol: number;
      let next: number;
      if (cr === -1 || (lf !== -1 && lf < cr)) {
        eol = lf;
        next = lf + 1;
      } else if (cr + 1 < len) {
        eol = cr;
        next = c[cr + 1] === LF ? cr + 2 : cr + 1;
      } else {
        eol = cr;
        next = len;
        this.crPending = true;
      }

      // A line that fits in this chunk is read in place; one spanning chunks is joined first.
      let blank: boolean;
      if (this.lineParts.length === 0) {
        blank = this.processLine(c, pos, eol);
      } else {
        const line = this.takeLine(c.subarray(pos, eol));
        blank = this.processLine(line, 0, line.length);
      }
      pos = next;
      if (blank) {
        if (this.crPending) {
          this.blockEndPending = true;
        } else {
          out.push(this.finishBlock(c.subarray(blockStart, pos)));
          blockStart = pos;
        }
      }
    }

    if (blockStart < len) {
      this.pending.push(blockStart === 0 ? c : c.subarray(blockStart));
      this.pendingLength += len - blockStart;
    }
    if (pos < len) this.lineParts.push(c.subarray(pos));
    return out;
  }

  /** Bytes held for the block still in progress (a relay bounds this against a runaway upstream). */
  get pendingBytes(): number {
    return this.pendingLength;
  }

  end(): SseEvent[] {
    const out: SseEvent[] = [];
    this.crPending = false;
    if (this.blockEndPending) {
      this.blockEndPending = false;
      out.push(this.finishBlock(undefined));
    } else if (this.pendingLength > 0) {
      if (this.lineParts.length > 0) {
        const line = this.takeLine(undefined);
        this.processLine(line, 0, line.length);
      }
      out.push(this.finishBlock(undefined));
    }
    this.lineParts = [];
    this.firstLine = true;
    return out;
  }

  /** Joins a line's earlier fragments with its last piece; copies only when there are fragments. */
  private takeLine(tail: Buffer | undefined): Buffer {
    if (this.lineParts.length === 0) return tail ?? Buffer.alloc(0);
    if (tail !== undefined) this.lineParts.push(tail);
    const line = this.lineParts.length === 1 ? this.lineParts[0] : Buffer.concat(this.lineParts);
    this.lineParts = [];
    return line;
  }

  /** Applies the complete line `input[start, end)` to the block in progress; returns true when the line is blank. */
  private processLine(input: Buffer, start: number, end: number): boolean {
    let from = start;
    if (this.firstLine) {
      this.firstLine = false;
      // The stream's BOM is not part of the first field name, but it stays in raw.
      if (end - from >= 3 && input[from] === 0xef && input[from + 1] === 0xbb && input[from + 2] === 0xbf) from += 3;
    }
    if (from === end) return true;

    // Searched within the line only (a bounded loop, not indexOf over the rest of the chunk): linear in the input.
    let colon = from;
    while (colon < end && input[colon] !== COLON) colon++;
    if (colon === from) return false;
    const name = fieldName(input, from, colon);
    let value = '';
    if (colon < end) {
      const valueStart = colon + 1 < end && input[colon + 1] === SPACE ? colon + 2 : colon + 1;
      value = input.toString('utf8', valueStart, end);
    }
    switch (name) {
      case 'data':
        this.data = this.data === undefined ? value : this.data + '\n' + value;
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        // WHATWG ignores ids containing NUL, which could not round-trip through Last-Event-ID.
        if (!value.includes('\0')) this.id = value;
        break;
      case 'retry':
        if (DIGITS.test(value)) this.retry = Number(value);
        break;
      default:
        return false;
    }
    this.hasFields = true;
    return false;
  }

  private finishBlock(tail: Buffer | undefined): SseEvent {
    let raw: Buffer;
    if (this.pending.length === 0) {
      raw = tail ?? Buffer.alloc(0);
    } else {
      if (tail !== undefined && tail.length > 0) {
        this.pending.push(tail);
        this.pendingLength += tail.length;
      }
      raw = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingLength);
    }
    const e: SseEvent = { raw };
    if (this.hasFields) {
      if (this.event !== undefined) e.event = this.event;
      if (this.data !== undefined) e.data = this.data;
      if (this.id !== undefined) e.id = this.id;
      if (this.retry !== undefined) e.retry = this.retry;
      this.event = this.data = this.id = undefined;
      this.retry = undefined;
      this.hasFields = false;
    }
    this.pending = [];
    this.pendingLength = 0;
    return e;
  }
}
