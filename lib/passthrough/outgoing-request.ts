/** The request http-proxy sends upstream for one attempt: the bridge's headers and the body bytes it already read. */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

/** What one attempt sends: its method, path (with the query), headers and body, all decided by the bridge. */
export interface AttemptRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body: Buffer | undefined;
}

/**
 * A stand-in for the client's request, handed to http-proxy instead of it. http-proxy copies `headers` as they are
 * and pipes the stream: so the upstream gets exactly these headers (none of the client's framing) and exactly
 * `body`, once per attempt, which is what makes failover replay safe.
 */
export function outgoingRequest(client: IncomingMessage, request: AttemptRequest): IncomingMessage {
  const { method, path, headers, body } = request;
  const stream = new Readable({ read() {} });
  if (body !== undefined && body.length > 0) stream.push(body);
  stream.push(null);
  // Only what http-proxy and http-proxy-middleware read from a request.
  return Object.assign(stream, {
    method,
    url: path,
    headers,
    httpVersion: '1.1',
    socket: client.socket,
    connection: client.socket,
  }) as unknown as IncomingMessage;
}
