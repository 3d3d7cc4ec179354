/** redactEvents: every relayed event is redacted, whether the events of a chunk are tested one by one or as one span. */
import { Redactor } from '../../lib/redaction/redactor';
import { redactEvents } from '../../lib/redaction/event-redaction';
import { SseDecoder } from '../../lib/streaming/sse-decoder';
import { maskKey } from '../../lib/redaction/key-mask';

const KEY = 'sk-pool-secret-0123456789abcdef';
const redactor = new Redactor([KEY]);

function decode(text: string) {
  return new SseDecoder().push(Buffer.from(text));
}

test('a chunk of clean events, side by side in one buffer, is passed whole (span tested, nothing replaced)', () => {
  const events = decode('data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n');
  const before = events.map((e) => e.raw);
  let tested = 0;
  const scrub = redactor.forRequest();
  const counting = { ...scrub, mayHold: (b: Buffer) => (tested++, scrub.mayHold(b)), bytes: (b: Buffer) => (tested++, scrub.bytes(b)) };
  expect(redactEvents(events, counting)).toBe(false);
  expect(events.map((e) => e.raw)).toEqual(before);
  expect(tested).toBe(1);
});

test.each([
  ['the last event', `data: {"a":1}\n\ndata: {"b":2}\n\ndata: {"k":"${KEY}"}\n\n`],
  ['a middle event', `data: {"a":1}\n\ndata: {"k":"${KEY}"}\n\ndata: {"b":2}\n\n`],
  ['escaped after an event ending in a backslash', `data: x\\\n\ndata: {"k":"\\u0073${KEY.slice(1)}"}\n\n`],
])('a key in %s of a chunk is still redacted in that event', (_name, text) => {
  const events = decode(text);
  expect(redactEvents(events, redactor.forRequest())).toBe(true);
  const out = Buffer.concat(events.map((e) => e.raw)).toString('utf8');
  expect(out).not.toContain(KEY);
  expect(out).not.toContain(KEY.slice(1));
  expect(out).toContain(maskKey(KEY));
});

test('events that are not side by side (copied, or from two chunks) are tested one by one', () => {
  const decoder = new SseDecoder();
  const events = [...decoder.push(Buffer.from('data: {"a":1}\n\n')), ...decoder.push(Buffer.from(`data: {"k":"${KEY}"}\n\n`))];
  expect(redactEvents(events, redactor.forRequest())).toBe(true);
  expect(events[1].raw.toString('utf8')).not.toContain(KEY);
  expect(events[1].data).not.toContain(KEY);
});
