/** Reads the first bytes of a response body without losing them: the rest of the pipeline still gets the whole body. */
import { Readable } from 'node:stream';

/** A body's first bytes, and a stream that yields them again followed by the rest. */
export interface BodyPrefix {
  prefix: Buffer;
  body: Readable;
}

/**
 * Reads `body` until `maxBytes` (or its end) and returns what was read with a replaying stream. A body that fails
 * while being read yields its prefix, then the same error, to whoever reads the replay: this function never throws.
 * Destroying the replay destroys the original (and its connection) when it was not read to its end.
 */
export async function readBodyPrefix(body: Readable, maxBytes: number): Promise<BodyPrefix> {
  const source = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  let failure: { error: unknown } | undefined;
  try {
    while (size < maxBytes) {
      const next = await source.next();
      if (next.done) {
        done = true;
        break;
      }
      chunks.push(next.value);
      size += next.value.length;
    }
  } catch (error) {
    failure = { error };
    done = true;
  }
  async function* replay(): AsyncGenerator<Buffer> {
    yield* chunks;
    if (failure) throw failure.error;
    if (done) return;
    for (let next = await source.next(); !next.done; next = await source.next()) yield next.value;
    done = true;
  }
  const replayed = Readable.from(replay(), { objectMode: false });
  // Not in the generator's `finally`: a replay destroyed before its first read never runs its body.
  replayed.once('close', () => {
    if (!done) source.return?.().catch(() => undefined);
  });
  return { prefix: Buffer.concat(chunks, size).subarray(0, maxBytes), body: replayed };
}
