/** Bedrock's `application/vnd.amazon.eventstream` answer as the Anthropic SSE it carries: one event per frame, the events of one read together, bounded. */
import { EventStreamCodec } from '@smithy/core/event-streams';
import { GatewayError } from '../../errors';
import { removeTopLevelField } from '../../json/json-edit';
import { MAX_EVENT_BYTES } from '../../streaming/event-stream';
import { bedrockException, bedrockMessage } from './bedrock-errors';

/** The content type of Bedrock's streamed answers. */
export const EVENT_STREAM_TYPE = 'application/vnd.amazon.eventstream';

/** The largest frame held: a chunk's base64 payload of an Anthropic event up to about 12 MiB. Larger → an error event. */
export const MAX_FRAME_BYTES = MAX_EVENT_BYTES;
/** Prelude (total length, headers length, prelude CRC) and message CRC: the smallest frame. */
export const MIN_FRAME_BYTES = 16;
// Bedrock's own metrics on the last event: Anthropic's `message_stop` has none, and clients expect its shape.
const BEDROCK_METRICS = 'amazon-bedrock-invocationMetrics';
// An SSE event name: a JSON value may not smuggle a line break (a forged event) into it.
const EVENT_NAME = /^[a-z_]{1,64}$/;
const LINE_BREAK = /[\r\n]/;

// The codec's text conversions (header names and string values), without a package of their own.
const fromUtf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const toUtf8 = (bytes: Uint8Array | string): string => (typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));

function framingError(message: string): GatewayError {
  return new GatewayError({ status: 502, errorType: 'server_error', code: 'bad_upstream_framing', message });
}

type Headers = Record<string, { type: string; value: unknown }>;

function header(headers: Headers, name: string): string {
  const v = headers[name]?.value;
  return typeof v === 'string' ? v : '';
}

/** Chunks held until a whole frame is there; joined only when one is complete. */
class FrameBuffer {
  private chunks: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  get length(): number {
    return this.size;
  }

  /** The first frame's total length, once its four prelude bytes are here. */
  frameLength(): number | undefined {
    if (this.size < 4) return undefined;
    if (this.chunks[0].length < 4) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0].readUInt32BE(0);
  }

  take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    const frame = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length === 0 ? [] : [rest];
    this.size = rest.length;
    return frame;
  }
}

/**
 * The SSE text of one `chunk` event: `event: <type>\ndata: <json>\n\n`, the JSON as Bedrock carried it (base64 in
 * `bytes`), without Bedrock's metrics on `message_stop`. Undefined for a chunk that carries no event.
 */
export function chunkToSse(body: Uint8Array): string | undefined {
  let payload: Buffer;
  let event: { type?: unknown } | null;
  try {
    const bytes = (JSON.parse(Buffer.from(body).toString('utf8')) as { bytes?: unknown }).bytes;
    if (typeof bytes !== 'string') return undefined;
    payload = Buffer.from(bytes, 'base64');
    event = JSON.parse(payload.toString('utf8')) as { type?: unknown } | null;
  } catch {
    throw framingError('The upstream sent a stream chunk that is not a JSON event.');
  }
  const type = event?.type;
  if (typeof type !== 'string' || !EVENT_NAME.test(type)) throw framingError('The upstream sent a stream event without a usable type.');
  if (type === 'message_stop' && BEDROCK_METRICS in event!) payload = removeTopLevelField(payload, BEDROCK_METRICS);
  let data = payload.toString('utf8');
  if (LINE_BREAK.test(data)) data = JSON.stringify(event);
  return `event: ${type}\ndata: ${data}\n\n`;
}

/** Decodes one whole frame: its SSE text, nothing (an event of no interest), or the error an exception frame carries. */
function frameToSse(codec: EventStreamCodec, frame: Buffer): string | undefined {
  let message;
  try {
    message = codec.decode(new Uint8Array(frame.buffer, frame.byteOffset, frame.length));
  } catch {
    throw framingError('The upstream sent a damaged event-stream frame.');
  }
  const headers = message.headers as Headers;
  const kind = header(headers, ':message-type');
  if (kind === 'event') return header(headers, ':event-type') === 'chunk' ? chunkToSse(message.body) : undefined;
  if (kind === 'exception') {
    const name = header(headers, ':exception-type');
    throw bedrockException(name, bedrockMessage(Buffer.from(message.body), `The upstream stream failed (${name || 'exception'}).`));
  }
  if (kind === 'error') {
    const code = header(headers, ':error-code');
    throw bedrockException(code, header(headers, ':error-message') || `The upstream stream failed (${code || 'error'}).`);
  }
  return undefined;
}

/** The exception a whole frame carries (its name and message), or undefined for any other frame or a damaged one. */
export function frameException(frame: Buffer): { name: string; message: string } | undefined {
  let message;
  try {
    message = new EventStreamCodec(toUtf8, fromUtf8).decode(new Uint8Array(frame.buffer, frame.byteOffset, frame.length));
  } catch {
    return undefined;
  }
  const headers = message.headers as Headers;
  if (header(headers, ':message-type') !== 'exception') return undefined;
  const name = header(headers, ':exception-type');
  return { name, message: bedrockMessage(Buffer.from(message.body), `The upstream stream failed (${name || 'exception'}).`) };
}

/**
 * Bedrock's event stream as Anthropic SSE, for `decodedStream`. Frames split anywhere are reassembled; a frame whose
 * length is under the minimum or over {@link MAX_FRAME_BYTES} ends the stream with an error before anything is held;
 * an exception frame ends it with that exception (`throttlingException` → a `rate_limit_error` event, …); bytes left
 * over at the end are an incomplete stream.
 */
export async function* eventStreamToSse(chunks: AsyncIterable<Buffer>): AsyncIterable<string> {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const held = new FrameBuffer();
  for await (const chunk of chunks) {
    held.push(chunk);
    // The events of one read go on as one chunk, as an SSE upstream's would: one write to the client, not one per event.
    let out = '';
    try {
      for (let n = held.frameLength(); n !== undefined; n = held.frameLength()) {
        if (n < MIN_FRAME_BYTES || n > MAX_FRAME_BYTES) throw framingError(`The upstream sent an event-stream frame larger than ${MAX_FRAME_BYTES} bytes (or shorter than a frame).`);
        if (held.length < n) break;
        const sse = frameToSse(codec, held.take(n));
        if (sse !== undefined) out += sse;
      }
    } catch (err) {
      // The events before a failing frame still reach the client, then the failure.
      if (out !== '') yield out;
      throw err;
    }
    if (out !== '') yield out;
  }
  if (held.length > 0) throw framingError('The upstream stream ended in the middle of a frame.');
}
