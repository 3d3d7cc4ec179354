/** Building blocks of a provider's response decoder: an answer whose body is re-framed, or whose whole (small) body is rewritten. */
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { GatewayError, isTransportError } from '../errors';
import type { UpstreamResponse } from '../http/upstream-client';
import { MAX_EVENT_BYTES } from '../streaming/event-stream';

/** Turns the chunks of an upstream body into the chunks the bridge reads instead (e.g. binary frames → SSE events). */
export type BodyDecoder = (chunks: AsyncIterable<Buffer>) => AsyncIterable<Buffer | string>;

/** What the client gets when a decoder fails on the upstream's bytes (anything it throws but a `GatewayError`). */
export const BAD_UPSTREAM_FRAMING = new GatewayError({
  status: 502, errorType: 'server_error', code: 'bad_upstream_framing', message: 'The upstream answer could not be decoded.',
});

function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError({ status: 502, errorType: 'server_error', code: 'response_too_large', message: `The upstream error body is larger than ${maxBytes} bytes.` });
}

async function* guarded(source: AsyncIterable<Buffer>, decode: BodyDecoder): AsyncIterable<Buffer | string> {
  try {
    yield* decode(source);
  } catch (err) {
    // The upstream's own transport failures keep their meaning (cut, timed out); the decoder's become one 502.
    throw err instanceof GatewayError || isTransportError(err) ? err : BAD_UPSTREAM_FRAMING;
  }
}

/**
 * `response` with its body read through `decode` and its content type set to `contentType` (its length and encoding
 * headers dropped: they described the old bytes). Backpressure holds: `decode` is pulled as the bridge reads.
 * Destroying the new body (a client that left) destroys the upstream's.
 */
export function decodedBody(response: UpstreamResponse, decode: BodyDecoder, contentType: string): UpstreamResponse {
  const source = response.body;
  const body = Readable.from(guarded(source as AsyncIterable<Buffer>, decode), { objectMode: false });
  body.once('close', () => source.destroy());
  const { 'content-length': _length, 'content-encoding': _encoding, ...rest } = response.headers;
  const headers: IncomingHttpHeaders = { ...rest, 'content-type': contentType };
  return { status: response.status, headers, body, discard: () => body.destroy() };
}

/** An SSE stream decoded from another framing: {@link decodedBody} with `text/event-stream`. */
export function decodedStream(response: UpstreamResponse, decode: BodyDecoder): UpstreamResponse {
  return decodedBody(response, decode, 'text/event-stream');
}

/**
 * `response` with its whole body (at most `maxBytes`, else a `502 response_too_large`) replaced by
 * `rewrite(body)`, as JSON: for error bodies of another shape, rewritten into the API's. Defaults to
 * `maxBytes` = `MAX_EVENT_BYTES` (16 MiB).
 */
export function rewrittenBody(response: UpstreamResponse, rewrite: (body: Buffer) => Buffer | string, maxBytes = MAX_EVENT_BYTES): UpstreamResponse {
  return decodedBody(response, async function* rewriteWhole(chunks) {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of chunks) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge(maxBytes);
      parts.push(chunk);
    }
    yield rewrite(Buffer.concat(parts, size));
  }, 'application/json');
}
