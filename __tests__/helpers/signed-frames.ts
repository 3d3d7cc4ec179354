/** The length-prefixed binary framing of the signed test provider: 4-byte big-endian length, then a JSON `{event?, data}` payload. */
import { GatewayError, MAX_EVENT_BYTES } from '../../lib';

/** One SSE event as a frame. */
export function frame(data: string, event?: string): Buffer {
  const payload = Buffer.from(JSON.stringify(event === undefined ? { data } : { event, data }));
  const head = Buffer.alloc(4);
  head.writeUInt32BE(payload.length);
  return Buffer.concat([head, payload]);
}

const FRAME_TOO_LARGE = new GatewayError({ status: 502, errorType: 'server_error', code: 'frame_too_large', message: `The upstream sent a frame larger than ${MAX_EVENT_BYTES} bytes.` });

/**
 * Frames → SSE events. Holds at most one frame (bounded by MAX_EVENT_BYTES, checked on the length prefix before any
 * byte of it is kept); a frame that is not `{data: string}` JSON, or a body cut mid-frame, fails the stream.
 */
export async function* framesToSse(chunks: AsyncIterable<Buffer>): AsyncIterable<string> {
  let pending: Buffer[] = [];
  let size = 0;
  let need = 4;
  let inPayload = false;
  for await (const chunk of chunks) {
    pending.push(chunk);
    size += chunk.length;
    while (size >= need) {
      const all = pending.length === 1 ? pending[0] : Buffer.concat(pending, size);
      const part = all.subarray(0, need);
      const rest = all.subarray(need);
      pending = rest.length > 0 ? [rest] : [];
      size = rest.length;
      if (!inPayload) {
        need = part.readUInt32BE(0);
        if (need > MAX_EVENT_BYTES) throw FRAME_TOO_LARGE;
        inPayload = true;
        continue;
      }
      const { event, data } = JSON.parse(part.toString('utf8')) as { event?: unknown; data?: unknown };
      if (typeof data !== 'string' || (event !== undefined && typeof event !== 'string')) throw new Error('not a frame');
      yield `${event === undefined ? '' : `event: ${event}\n`}data: ${data}\n\n`;
      need = 4;
      inPayload = false;
    }
  }
  if (size > 0 || inPayload) throw new Error('the stream ended mid-frame');
}
