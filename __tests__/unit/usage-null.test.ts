/** Removing the `"usage":null` field the bridge caused, and nothing else. */
import { stripUsageNull } from '../../lib/apis/openai-chat/usage-null';

const ev = (json: string) => Buffer.from(`data: ${json}\n\n`);
const strip = (json: string) => stripUsageNull(ev(json))?.toString('utf8');

test.each([
  ['{"id":"c","choices":[],"usage":null}', 'data: {"id":"c","choices":[]}\n\n'],
  ['{"usage":null,"id":"c"}', 'data: {"id":"c"}\n\n'],
  ['{"choices":[{"delta":{"content":",\\"usage\\":null"}}],"usage":null}', 'data: {"choices":[{"delta":{"content":",\\"usage\\":null"}}]}\n\n'],
])('%s → top-level field removed', (json, expected) => {
  expect(strip(json)).toBe(expected);
});

test.each([
  ['no usage field', '{"id":"c"}'],
  ['usage with a value', '{"id":"c","usage":{"total_tokens":1}}'],
  ['a nested usage:null only', '{"choices":[{"x":1,"usage":null}],"usage":{"a":1}}'],
  ['spaced differently', '{"id":"c", "usage": null}'],
  ['text that looks like it', '{"t":"\\",\\"usage\\":null"}'],
])('%s → left as it came', (_name, json) => {
  expect(stripUsageNull(ev(json))).toBeUndefined();
});

test('multi-line data is left as it came', () => {
  expect(stripUsageNull(Buffer.from('data: {"id":"c",\ndata: "usage":null}\n\n'))).toBeUndefined();
});

test('usage:null before other fields is checked with the scanner, not assumed', () => {
  expect(strip('{"id":"c","usage":null,"x":{"usage":null}}')).toBe('data: {"id":"c","x":{"usage":null}}\n\n');
  expect(strip('{"x":{"a":1,"usage":null},"usage":null,"y":1}')).toBeUndefined(); // the first match is the nested one
});

test('the usual last field is removed whatever ends the event, into a buffer of its own', () => {
  const raw = Buffer.from('data: {"id":"c","choices":[],"usage":null}\r\n\r\n');
  const out = stripUsageNull(raw)!;
  expect(out.toString('utf8')).toBe('data: {"id":"c","choices":[]}\r\n\r\n');
  raw.fill(0x20);
  expect(out.toString('utf8')).toBe('data: {"id":"c","choices":[]}\r\n\r\n');
});

test('an event without an object is left as it came', () => {
  expect(stripUsageNull(Buffer.from('data: ,"usage":null\n\n'))).toBeUndefined();
  expect(stripUsageNull(Buffer.alloc(0))).toBeUndefined();
});
