/** Reads a whole upstream body, refusing to hold more than a bound. */
import type { Readable } from 'node:stream';

/** Thrown (after destroying the body) when a body grows past its bound. */
export class ResponseTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The upstream answer exceeds the limit of ${limit} bytes.`);
    this.name = 'ResponseTooLargeError';
  }
}

export async function readBounded(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      throw new ResponseTooLargeError(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}
