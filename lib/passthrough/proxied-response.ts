/** One proxied attempt's response as the bridge reads it: decoded, peekable by the key walk, discardable. */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { AttemptResult } from '../keypool/key-pool';
import { decodeBody } from '../http/content-encoding';
import { readBodyPrefix } from '../http/body-prefix';

/** One proxied attempt's response, judged by the key walk before it reaches the client. */
export interface ProxiedResponse extends AttemptResult {
  /** The upstream body: the message itself, or a replay of it once the key walk read its first bytes. */
  body: Readable;
}

/** Whether an answer to `method` with `status` carries a body (RFC 9110: not to HEAD, not a 204 or 304). */
export function hasBody(method: string, status: number): boolean {
  return method !== 'HEAD' && status !== 204 && status !== 304;
}

/**
 * The attempt's response as the bridge reads it: a body an upstream compressed although `identity` was asked for is
 * decoded here (streamed), so that the key walk, the dump and the client all get the words the redaction can scan.
 * An answer without a body (to `HEAD`, a `204` or `304`) keeps its headers as they came: there is nothing to decode.
 */
export function proxiedResponse(message: IncomingMessage, method: string): ProxiedResponse {
  const status = message.statusCode ?? 502;
  const decoded = hasBody(method, status) ? decodeBody(message, message.headers) : { body: message, headers: message.headers };
  const response: ProxiedResponse = {
    status, headers: decoded.headers, body: decoded.body,
    // A plain body is drained to keep the connection; a decoded or peeked one is cut (rare).
    discard: () => (response.body === message ? message.resume() : response.body.destroy()),
    async peekBody(maxBytes) {
      const { prefix, body } = await readBodyPrefix(response.body, maxBytes);
      response.body = body;
      return prefix;
    },
  };
  return response;
}
