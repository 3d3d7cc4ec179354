/** Copies an upstream answer's body into its dump file as it streams, redacted, without changing what is relayed. */
import { Transform, type Readable } from 'node:stream';
import type { KeyScrub } from '../../redaction/redactor';
import { errorMessage } from '../logger';
import type { DumpFile } from './dump-file';
import { failureNote } from './dump-format';

/** What is tapped: an upstream response whose body has not been read yet. */
export interface TappableResponse {
  body: Readable;
  discard(): void;
}

/** Bytes no key (plain or JSON-escaped) contains: a body is cut for redaction after the last of them in a chunk. */
const CUTS = new Set([0x0a, 0x20, 0x22, 0x2c, 0x3a, 0x7b, 0x7d, 0x5b, 0x5d]);
/** A run without any cut byte longer than this is written anyway (a key split there may then escape redaction). */
const MAX_HELD_BYTES = 64 * 1024;

/**
 * Redacts a byte stream in pieces that end at a byte no key contains, so a key split across two chunks is still
 * whole in one piece; holds back at most the bytes after the last such byte.
 */
export class RedactingCutter {
  private held: Buffer | undefined;

  constructor(private readonly scrub: KeyScrub, private readonly out: (bytes: Buffer) => void) {}

  push(chunk: Buffer): void {
    const bytes = this.held ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = undefined;
    const cut = lastCut(bytes);
    if (cut < 0 && bytes.length <= MAX_HELD_BYTES) {
      this.held = bytes;
      return;
    }
    const end = cut < 0 ? bytes.length : cut + 1;
    if (end < bytes.length) this.held = Buffer.from(bytes.subarray(end));
    this.out(this.scrub.bytes(bytes.subarray(0, end)));
  }

  end(): void {
    if (this.held) this.out(this.scrub.bytes(this.held));
    this.held = undefined;
  }
}

function lastCut(bytes: Buffer): number {
  const newline = bytes.lastIndexOf(0x0a);
  // SSE and most JSON chunks end in or near a newline; otherwise the search from the end is short in JSON.
  for (let i = bytes.length - 1; i > newline; i--) if (CUTS.has(bytes[i]!)) return i;
  return newline;
}

/**
 * Puts a pass-through stream between `response.body` and its reader: each chunk goes on unchanged (backpressure
 * kept) and, redacted, into `file`. The file ends with the body, or with a note when the body fails or its reader
 * stops early (which also stops the upstream body). `discard()` drains the body through the copy, so the attempt's
 * whole answer is dumped and the connection kept.
 */
export function tapBody<R extends TappableResponse>(response: R, file: DumpFile, scrub: KeyScrub): R {
  const source = response.body;
  const cutter = new RedactingCutter(scrub, (bytes) => file.write(bytes));
  let ended = false;
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      cutter.push(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      ended = true;
      cutter.end();
      file.end();
      callback();
    },
    destroy(err, callback) {
      if (!ended) {
        cutter.end();
        file.end(failureNote('the response ended early', err ? errorMessage(err) : 'its reader stopped', scrub));
        if (!source.readableEnded) source.destroy();
      }
      callback(err);
    },
  });
  source.once('error', (err) => tee.destroy(err));
  source.pipe(tee);
  const discard = response.discard.bind(response);
  response.body = tee;
  response.discard = () => {
    if (response.body === tee) tee.resume();
    else discard();
  };
  return response;
}
