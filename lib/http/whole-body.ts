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
 * body is destroyed, which closes the upstream connection instead of draining the rest. Read through its events, not
 * an async iterator: one promise per body instead of one per chunk, on every blocking answer.
 */
export function readUpstreamBody(upstream: Pick<UpstreamResponse, 'headers' | 'body'>, maxBytes: number, scrub: KeyScrub): Promise<Buffer> {
  const { body } = upstream;
  const declared = upstream.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    body.destroy();
    return Promise.reject(responseTooLarge(maxBytes));
  }
  // Gone before it was read: its 'close' has passed and will not come again.
  if (body.destroyed) return Promise.reject(gatewayErrorMidBody(body.errored ?? prematureClose(), false));
  if (body.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (err: unknown) => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', settle);
      body.off('close', onClose);
      if (err === undefined) {
        try {
          resolve(scrub.bytes(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
        } catch (failure) {
          reject(failure);
        }
        return;
      }
      // Destroying an unfinished body makes it emit an abort error of its own: nothing is listening for it any more.
      body.on('error', ignore);
      body.destroy();
      reject(gatewayErrorMidBody(err, false));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) settle(responseTooLarge(maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => settle(undefined);
    // Closed without its end (and without an error): the answer was cut.
    const onClose = () => settle(prematureClose());
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', settle);
    body.on('close', onClose);
  });
}

function ignore(): void {}

function prematureClose(): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
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
