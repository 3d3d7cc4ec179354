/** The Bedrock event-stream decoder: frames split at every byte boundary, exceptions, hostile lengths, damaged frames. */
import { GatewayError } from '../../lib/errors';
import { eventStreamToSse, MAX_FRAME_BYTES } from '../../lib/providers/bedrock/bedrock-event-stream';
// The fake Bedrock's encoder (AWS's own codec): what a real Bedrock stream is made of.
import { chunkFrame, exceptionFrame, withInvocationMetrics } from '../../lib/testing/fake/bedrock/frames.js';

const START = '{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}';
const PING = '{"type": "ping"}';
const DELTA = '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Grüß 👋"}}';
const STOP = '{"type":"message_stop"}';

async function* from(parts: Buffer[]): AsyncIterable<Buffer> {
  for (const p of parts) yield p;
}

async function decode(parts: Buffer[]): Promise<string> {
  let out = '';
  for await (const s of eventStreamToSse(from(parts))) out += s;
  return out;
}

async function failure(parts: Buffer[]): Promise<GatewayError> {
  try {
    await decode(parts);
  } catch (err) {
    return err as GatewayError;
  }
  throw new Error('expected the decoder to fail');
}

const sse = (type: string, data: string) => `event: ${type}\ndata: ${data}\n\n`;
const EXPECTED = sse('message_start', START) + sse('ping', PING) + sse('content_block_delta', DELTA) + sse('message_stop', STOP);
const STREAM = Buffer.concat([chunkFrame(START), chunkFrame(PING), chunkFrame(DELTA), chunkFrame(withInvocationMetrics(STOP, { input: 3, output: 9 }))]);

test('whole frames: one SSE event each, the JSON as carried, Bedrock\'s metrics off message_stop', async () => {
  expect(await decode([STREAM])).toBe(EXPECTED);
});

test('split in two at every byte boundary: the same events', async () => {
  for (let cut = 1; cut < STREAM.length; cut++) {
    expect(await decode([STREAM.subarray(0, cut), STREAM.subarray(cut)])).toBe(EXPECTED);
  }
});

test('one byte at a time, and in three pieces at awkward places', async () => {
  expect(await decode([...STREAM].map((b) => Buffer.from([b])))).toBe(EXPECTED);
  for (let a = 1; a < 40; a += 3) {
    for (let b = a + 1; b < STREAM.length; b += 17) {
      expect(await decode([STREAM.subarray(0, a), STREAM.subarray(a, b), STREAM.subarray(b)])).toBe(EXPECTED);
    }
  }
});

test('the events of one read come out as one chunk (one write to the client), those of the next read apart', async () => {
  const seen: string[] = [];
  const cut = chunkFrame(START).length + chunkFrame(PING).length + 5;
  for await (const s of eventStreamToSse(from([STREAM.subarray(0, cut), STREAM.subarray(cut)]))) seen.push(s);
  expect(seen).toEqual([sse('message_start', START) + sse('ping', PING), sse('content_block_delta', DELTA) + sse('message_stop', STOP)]);
});

test('an exception frame in the same read as events: the events, then its error', async () => {
  const seen: string[] = [];
  let error: unknown;
  try {
    for await (const s of eventStreamToSse(from([Buffer.concat([chunkFrame(START), chunkFrame(PING), exceptionFrame('throttlingException', 'Slow down.')])]))) seen.push(s);
  } catch (err) {
    error = err;
  }
  expect(seen).toEqual([sse('message_start', START) + sse('ping', PING)]);
  expect(error).toMatchObject({ status: 429, code: 'throttlingException' });
});

test('an exception frame ends the stream with its error, after the events before it', async () => {
  const parts = [chunkFrame(START), exceptionFrame('throttlingException', 'Too many tokens, please wait.')];
  const seen: string[] = [];
  let error: unknown;
  try {
    for await (const s of eventStreamToSse(from(parts))) seen.push(s);
  } catch (err) {
    error = err;
  }
  expect(seen).toEqual([sse('message_start', START)]);
  expect(error).toBeInstanceOf(GatewayError);
  expect(error).toMatchObject({ status: 429, errorType: 'rate_limited', code: 'throttlingException', message: 'Too many tokens, please wait.' });
});

test.each([
  ['modelStreamErrorException', 500, 'server_error'],
  ['internalServerException', 500, 'server_error'],
  ['validationException', 400, 'bad_request'],
  ['serviceUnavailableException', 503, 'overloaded'],
  ['somethingNewException', 500, 'server_error'],
])('%s → status %i, %s', async (type, status, errorType) => {
  expect(await failure([exceptionFrame(type, 'no')])).toMatchObject({ status, errorType, message: 'no' });
});

test('a length prefix over the bound fails at once, before anything is held', async () => {
  const hostile = Buffer.from([0x7f, 0xff, 0xff, 0xff, 0x00]);
  expect(await failure([hostile])).toMatchObject({ status: 502, code: 'bad_upstream_framing', message: expect.stringContaining(`larger than ${MAX_FRAME_BYTES}`) });
  expect(await failure([Buffer.from([0, 0, 0, 3])])).toMatchObject({ code: 'bad_upstream_framing' });
});

test('a damaged frame (CRC), a cut stream, a chunk that is not an event: framing errors', async () => {
  const damaged = Buffer.from(chunkFrame(DELTA));
  damaged[damaged.length - 6] ^= 0xff;
  expect(await failure([damaged])).toMatchObject({ code: 'bad_upstream_framing', message: expect.stringMatching(/damaged/) });
  const whole = chunkFrame(DELTA);
  expect(await failure([whole.subarray(0, whole.length - 1)])).toMatchObject({ message: expect.stringMatching(/middle of a frame/) });
  expect(await failure([chunkFrame('not json')])).toMatchObject({ message: expect.stringMatching(/not a JSON event/) });
  expect(await failure([chunkFrame('{"type":"x\\nevent: forged"}')])).toMatchObject({ message: expect.stringMatching(/usable type/) });
});

test('an event whose JSON spans lines is re-serialised on one line: it cannot forge another SSE event', async () => {
  const out = await decode([chunkFrame('{"type":"ping",\n"x":1}')]);
  expect(out).toBe(sse('ping', '{"type":"ping","x":1}'));
});
