/** Undoes an upstream's Content-Encoding (gzip, deflate, br) so that what the bridge reads, scans and relays is the real body. */
import type { IncomingHttpHeaders } from 'node:http';
import { Readable, pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { GatewayError } from '../errors';

const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

function unsupported(encoding: string): GatewayError {
  return new GatewayError({ status: 502, errorType: 'server_error', code: 'unsupported_encoding', message: `The upstream answered with a Content-Encoding the gateway cannot read (${encoding.slice(0, 40)}).` });
}

/**
 * `body` decoded, with `headers` minus `content-encoding` and `content-length` (they described the encoded bytes);
 * as they are when the body is not encoded (the usual case: the bridge asks for `identity`). An encoding the
 * bridge cannot read yields a body that fails with a `502 unsupported_encoding` when read, never unread bytes.
 * Bounds stay with the reader: it counts decoded bytes, so a small bomb is cut like any large answer.
 */
export function decodeBody(body: Readable, headers: IncomingHttpHeaders): { body: Readable; headers: IncomingHttpHeaders } {
  const header = headers['content-encoding'];
  if (header === undefined) return { body, headers };
  const encoding = String(header).trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return { body, headers };
  const { 'content-encoding': _encoding, 'content-length': _length, ...rest } = headers;
  const make = DECODERS[encoding];
  if (!make) {
    // Destroying undici's body emits an abort error, which nothing else would listen for here.
    body.once('error', () => undefined);
    body.destroy();
    // Fails when read, not now: an error emitted before its reader listens would escape the request.
    const failed = new Readable({
      read() {
        this.destroy(unsupported(encoding));
      },
    });
    return { body: failed, headers: rest };
  }
  const decoded = pipeline(body, make(), () => undefined) as unknown as Readable;
  return { body: decoded, headers: rest };
}
