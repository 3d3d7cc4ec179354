/** Relays a complete upstream answer: same status, same body bytes, the useful headers. */
import type { Response } from 'express';
import type { UpstreamResponse } from '../upstream/upstream-client';
import { relayResponseHeaders } from './respond';

/** Reads the whole upstream body, sends it unchanged and returns it (for recording). */
export async function relayBlocking(upstream: UpstreamResponse, res: Response): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of upstream.body) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
  res.statusCode = upstream.status;
  relayResponseHeaders(res, upstream.headers);
  res.setHeader('content-length', body.length);
  res.end(body);
  return body;
}

/** The upstream's own error message from an error body (both providers use `error.message`), if any. */
export function upstreamErrorMessage(body: Buffer): string | undefined {
  if (body.length === 0 || body.length > 65_536) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: { message?: unknown } };
    return typeof parsed?.error?.message === 'string' ? parsed.error.message : undefined;
  } catch {
    return undefined;
  }
}
