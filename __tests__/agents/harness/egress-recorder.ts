/** A loopback HTTP proxy that refuses every request and remembers where an agent tried to go beyond the bridge. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EgressRecorder {
  /** `http://127.0.0.1:PORT`, for `HTTPS_PROXY` / `HTTP_PROXY`. */
  url: string;
  /** Each refused attempt: `CONNECT host:port` or `GET http://host/path`. */
  attempts: string[];
  close(): Promise<void>;
}

/**
 * Agents get this as their proxy (with `NO_PROXY` for loopback), so anything they try to reach on the internet —
 * telemetry, update checks, model lists — is refused here and listed, instead of leaving the machine.
 */
export async function startEgressRecorder(): Promise<EgressRecorder> {
  const attempts: string[] = [];
  const server = http.createServer((req, res) => {
    attempts.push(`${req.method} ${req.url}`);
    res.writeHead(403, { 'content-type': 'text/plain', connection: 'close' }).end('egress refused by the agents test harness');
  });
  server.on('connect', (req, socket) => {
    attempts.push(`CONNECT ${req.url}`);
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    attempts,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
