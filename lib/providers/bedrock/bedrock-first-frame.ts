/** A Bedrock stream answered 200 whose first frame is an exception (a throttled stream), turned into the HTTP error it means, for the key walk. */
import { Readable } from 'node:stream';
import type { UpstreamResponse } from '../../http/upstream-client';
import { bedrockException } from './bedrock-errors';
import { EVENT_STREAM_TYPE, frameException, MIN_FRAME_BYTES } from './bedrock-event-stream';

/** A frame's prelude: total length, headers length, prelude CRC. */
const PRELUDE_BYTES = 12;
/** The largest first frame looked at: an exception frame is a short message; a longer first frame is an event. */
const MAX_SCREENED_FRAME_BYTES = 64 * 1024;

/** The HTTP error Bedrock answers for exception `name` before a stream starts: status, `x-amzn-errortype`, `{"message"}`. */
function errorResponse(response: UpstreamResponse, name: string, message: string): UpstreamResponse {
  const body = Buffer.from(JSON.stringify({ message }));
  const stream = Readable.from([body], { objectMode: false });
  const { 'content-length': _length, 'content-encoding': _encoding, ...rest } = response.headers;
  return {
    status: bedrockException(name, message).status,
    headers: { ...rest, 'content-type': 'application/json', 'x-amzn-errortype': name, 'content-length': String(body.length) },
    body: stream,
    discard: () => stream.destroy(),
    peekBody: async (maxBytes) => body.subarray(0, maxBytes),
  };
}

/**
 * For `screenResponse`: a `200` event stream whose first frame is an exception (`throttlingException`, …) is answered
 * as the HTTP error Bedrock sends for it before a stream (a `429` for throttling), so the credential cools and the next
 * one is tried; the upstream body is let go. Any other answer comes back as it was, the bytes read replayed. Reads at
 * most the first frame (up to 64 KiB) and only what the first reads brought: one read in the usual case.
 */
export async function firstFrameFailure(response: UpstreamResponse): Promise<UpstreamResponse> {
  if (response.status !== 200 || !response.peekBody || !String(response.headers['content-type'] ?? '').startsWith(EVENT_STREAM_TYPE)) return response;
  let head = await response.peekBody(PRELUDE_BYTES);
  if (head.length < PRELUDE_BYTES) return response;
  const length = head.readUInt32BE(0);
  if (length < MIN_FRAME_BYTES || length > MAX_SCREENED_FRAME_BYTES) return response;
  if (head.length < length) head = await response.peekBody(length);
  if (head.length < length) return response;
  const exception = frameException(head.subarray(0, length));
  if (!exception) return response;
  response.discard();
  return errorResponse(response, exception.name, exception.message);
}
