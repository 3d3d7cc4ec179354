/** Relays a complete upstream answer: same status, same body bytes, the useful headers; bounded in size. */
import type { ServerResponse } from 'node:http';
import { GatewayError, gatewayErrorMidBody } from '../errors';
import type { KeyScrub } from '../redaction/redactor';
import type { UpstreamResponse } from './upstream-client';
import { relayResponseHeaders } from './respond';
import { stampServerTiming } from './server-timing';

function responseTooLarge(maxBytes: number): GatewayError {
  return new GatewayError({ status: 502, errorType: 'server_error', code: 'response_too_large', message: `The upstream answer is larger than the gateway's limit of ${maxBytes} bytes.` });
}

/**
 * Reads the whole upstream body, at most `maxBytes` of it, redacted by `scrub`: the one place a whole upstream
 * body (success or error, bridged or passthrough) is redacted before anything reads or relays it. A body without
 * a key is returned as received, byte-identical. Past the limit (declared up front or counted as it arrives) the
 * body is destroyed, which closes the upstream connection instead of draining the rest.
 */
export async function readUpstreamBody(upstream: Pick<UpstreamResponse, 'headers' | 'body'>, maxBytes: number, scrub: KeyScrub): Promise<Buffer> {
  const declared = upstream.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    upstream.body.destroy();
    throw responseTooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of upstream.body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) throw responseTooLarge(maxBytes);
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    upstream.body.destroy();
    throw gatewayErrorMidBody(err, false);
  }
  return scrub.bytes(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
}

/** Where a whole answer goes: the client's response, and the redaction of the headers relayed onto it. */
export interface BodyDestination {
  readonly res: ServerResponse;
  readonly scrub: KeyScrub;
}

/** Sends `body` with the upstream's status and relayed headers. */
export function sendUpstreamBody(upstream: Pick<UpstreamResponse, 'headers' | 'status'>, body: Buffer, { res, scrub }: BodyDestination): void {
  res.statusCode = upstream.status;
  relayResponseHeaders(res, upstream.headers, scrub);
  res.setHeader('content-length', body.length);
  stampServerTiming(res);
  res.end(body);
}
