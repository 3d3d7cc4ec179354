/** The event-stream frame reader against AWS's own codec: every header type skipped or read, damage refused. */
import { EventStreamCodec } from '@smithy/core/event-streams';
import { decodeFrame } from '../../lib/providers/bedrock/event-stream-frame';

const codec = new EventStreamCodec((b) => (typeof b === 'string' ? b : Buffer.from(b).toString('utf8')), (t) => Buffer.from(t, 'utf8'));

function encode(headers: Record<string, { type: string; value: unknown }>, body: string): Buffer {
  return Buffer.from(codec.encode({ headers: headers as never, body: Buffer.from(body, 'utf8') }));
}

const EVERY_TYPE = {
  'flag-on': { type: 'boolean', value: true },
  'flag-off': { type: 'boolean', value: false },
  ':event-type': { type: 'string', value: 'chunk' },
  tiny: { type: 'byte', value: 7 },
  small: { type: 'short', value: 300 },
  mid: { type: 'integer', value: 70000 },
  when: { type: 'timestamp', value: new Date(0) },
  id: { type: 'uuid', value: '5f7c7b8a-1111-4222-8333-944445555666' },
  raw: { type: 'binary', value: new Uint8Array([1, 2, 3]) },
  'grüße': { type: 'string', value: 'héllo 👋' },
};

test('string headers read, every other type skipped, the body a view of the frame', () => {
  const frame = decodeFrame(encode(EVERY_TYPE, '{"bytes":"e30="}'));
  expect([...frame.headers]).toEqual([[':event-type', 'chunk'], ['grüße', 'héllo 👋']]);
  expect(frame.body.toString('utf8')).toBe('{"bytes":"e30="}');
});

test('a changed byte anywhere fails a CRC; a prelude length that is not the frame\'s is refused', () => {
  const good = encode({ ':message-type': { type: 'string', value: 'event' } }, 'body');
  for (let i = 0; i < good.length; i++) {
    const bad = Buffer.from(good);
    bad[i] ^= 0x01;
    expect(() => decodeFrame(bad)).toThrow();
  }
  expect(() => decodeFrame(good.subarray(0, good.length - 1))).toThrow();
});
