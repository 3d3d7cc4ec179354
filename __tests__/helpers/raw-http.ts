/** Sends hand-written HTTP/1.1 bytes over a plain socket, for attacks an HTTP client library would refuse to send. */
import net from 'node:net';

export interface RawResponse {
  /** Status of the final response (a `100 Continue` interim response is skipped). */
  status: number;
  /** Everything the server sent, as latin1 text. */
  text: string;
}

/**
 * Writes `parts` to `url`'s host (each part after the previous one was flushed, `gapMs` apart) and resolves with
 * what came back once the server closed the connection or `timeoutMs` passed. Send `Connection: close`.
 */
export function rawHttp(url: string, parts: Array<string | Buffer>, { gapMs = 20, timeoutMs = 5000 } = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1])).filter((s) => s !== 100);
      resolve({ status: statuses[0] ?? 0, text });
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.on('connect', async () => {
      for (const part of parts) {
        if (socket.destroyed) return;
        socket.write(part);
        await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

/** The body of a raw response (after the last blank line that ends a header block). */
export function rawBody(text: string): string {
  const at = text.lastIndexOf('\r\n\r\n');
  return at < 0 ? '' : text.slice(at + 4);
}
