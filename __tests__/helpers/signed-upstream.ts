/**
 * The signed provider's upstream: checks each request's HMAC signature (403 when wrong), refuses listed keys (401),
 * and answers from the shared fake upstream behind it, streams re-framed as length-prefixed binary frames and errors
 * in its own `{"fault":{kind,detail}}` shape.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { startFakeUpstream, type FakeUpstream } from '../../lib/testing';
import { FRAMES_TYPE, keyId, signature } from './signed-provider';
import { frame } from './signed-frames';

/** One request as the signed upstream got it. */
export interface SignedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Which key signed it (`undefined` when the signature did not verify). */
  signedBy: string | undefined;
}

export interface SignedUpstream {
  url: string;
  /** The fake answering behind the signature check (scripts go on its `behaviour`). */
  inner: FakeUpstream;
  requests: SignedRequest[];
  /** Keys answered with a 401 fault. */
  refused: Set<string>;
  /** Answers the next stream with these raw bytes instead (e.g. a hostile length prefix). */
  rawStream: Buffer | undefined;
  close(): Promise<void>;
}

function fault(res: http.ServerResponse, status: number, kind: string, detail: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ fault: { kind, detail } }));
}

function verified(keys: string[], req: http.IncomingMessage, body: Buffer): string | undefined {
  const date = req.headers['x-signed-date'];
  const given = req.headers['x-signed-signature'];
  const key = keys.find((k) => keyId(k) === req.headers['x-signed-key']);
  if (typeof date !== 'string' || typeof given !== 'string' || !key) return undefined;
  const expected = Buffer.from(signature(key, req.method!, req.url!, date, body));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? key : undefined;
}

/** `/model/<m>/chat` → `/v1/chat/completions`, `/model/<m>/messages` → `/v1/messages`, anything else as it is. */
function innerPath(url: string): string {
  const match = /^\/model\/[^/]+\/(chat|messages)(\?.*)?$/.exec(url);
  if (!match) return url;
  return (match[1] === 'chat' ? '/v1/chat/completions' : '/v1/messages') + (match[2] ?? '');
}

/** SSE text → frames, each written in two writes split mid-frame (the decoder must reassemble them). */
function writeFrames(res: http.ServerResponse, sse: string): void {
  res.writeHead(200, { 'content-type': FRAMES_TYPE });
  for (const block of sse.split('\n\n')) {
    if (block.trim() === '') continue;
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    const bytes = frame(data.join('\n'), event);
    res.write(bytes.subarray(0, 3));
    res.write(bytes.subarray(3));
  }
  res.end();
}

export async function startSignedUpstream(keys: string[]): Promise<SignedUpstream> {
  const inner = await startFakeUpstream();
  const upstream = { inner, requests: [] as SignedRequest[], refused: new Set<string>(), rawStream: undefined as Buffer | undefined } as SignedUpstream;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void answer(req, res, Buffer.concat(chunks)).catch(() => res.destroy());
    });
  });
  async function answer(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const key = verified(keys, req, body);
    upstream.requests.push({ method: req.method!, url: req.url!, headers: req.headers, body, signedBy: key });
    if (!key) return fault(res, 403, 'SignatureMismatch', 'The request signature does not match.');
    if (upstream.refused.has(key)) return fault(res, 401, 'InvalidKey', 'This key is not valid.');
    if (upstream.rawStream) {
      const raw = upstream.rawStream;
      upstream.rawStream = undefined;
      res.writeHead(200, { 'content-type': FRAMES_TYPE });
      res.end(raw);
      return;
    }
    const forwarded = await fetch(inner.origin + innerPath(req.url!), {
      method: req.method, headers: { 'content-type': 'application/json', authorization: 'Bearer inner', 'anthropic-version': '2023-06-01' },
      body: req.method === 'GET' ? undefined : body,
    });
    const text = await forwarded.text();
    if (forwarded.status >= 400) return fault(res, forwarded.status, 'Upstream', text.slice(0, 200));
    if ((forwarded.headers.get('content-type') ?? '').startsWith('text/event-stream')) return writeFrames(res, text);
    res.writeHead(forwarded.status, { 'content-type': forwarded.headers.get('content-type') ?? 'application/json' });
    res.end(text);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  upstream.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await inner.close();
  };
  return upstream;
}
