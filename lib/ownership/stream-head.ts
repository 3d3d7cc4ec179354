/** Reads the head of an SSE body until an event names what it created, then puts the bytes back for the relay. */
import { Readable } from 'node:stream';
import { SseDecoder, type SseEvent } from '../streaming/sse-decoder';

/** Lifecycle events are a few KiB; the first one carries the id. */
const DECODE_SLICE_BYTES = 8 * 1024;

export interface StreamHead {
  /** The id the first event carrying one named; undefined when none did within the head. */
  id: string | undefined;
  /** The body to relay: the same stream with the head put back (or, when it ended, the head alone). */
  body: Readable;
}

/**
 * Holds the stream's first events (at most `maxBytes`) until `idOf` finds an id in one, so that the caller can
 * write its owner before any byte reaches the client. The bytes read are given back with `unshift`, so the relay
 * reads an untouched stream afterwards and nothing past the head is scanned twice.
 */
export function readStreamHead(body: Readable, idOf: (event: SseEvent) => string | undefined, maxBytes: number): Promise<StreamHead> {
  const decoder = new SseDecoder();
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      body.off('readable', onReadable).off('end', onEnd).off('error', onError);
    };
    const giveBack = (id: string | undefined): void => {
      cleanup();
      if (chunks.length > 0) body.unshift(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
      resolve({ id, body });
    };
    function onReadable(): void {
      for (let chunk = body.read() as Buffer | null; chunk !== null; chunk = body.read() as Buffer | null) {
        chunks.push(chunk);
        size += chunk.length;
        // A read may return the whole stream at once: decode it a slice at a time, so that only the first events are.
        for (let at = 0; at < chunk.length; at += DECODE_SLICE_BYTES) {
          for (const event of decoder.push(chunk.subarray(at, at + DECODE_SLICE_BYTES))) {
            const id = idOf(event);
            if (id !== undefined) return giveBack(id);
          }
        }
        if (size > maxBytes) return giveBack(undefined);
      }
    }
    function onEnd(): void {
      // Everything was read: the stream cannot take the bytes back once it ended.
      cleanup();
      const rest = decoder.end();
      const id = rest.map(idOf).find((v) => v !== undefined);
      resolve({ id, body: Readable.from(chunks.length > 0 ? [Buffer.concat(chunks, size)] : []) });
    }
    function onError(err: unknown): void {
      cleanup();
      reject(err);
    }
    body.on('readable', onReadable).on('end', onEnd).on('error', onError);
  });
}
