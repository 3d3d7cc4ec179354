/** One tool result bounded in UTF-8 bytes: cut on a character boundary, the note the model reads, untouched when it fits. */
import { capToolResult, truncationNote, utf8Prefix } from '../../lib/pipeline/loop/cap-tool-result';

test('utf8Prefix never cuts a character in half', () => {
  expect(utf8Prefix('aé', 2)).toBe('a');
  expect(utf8Prefix('a€b', 3)).toBe('a');
  expect(utf8Prefix('a😀b', 4)).toBe('a');
  expect(utf8Prefix('a😀b', 5)).toBe('a😀');
  expect(utf8Prefix('abc', 10)).toBe('abc');
});

test('a result that fits is returned as it is', () => {
  const result = { content: [{ type: 'text', text: 'short' }], structuredContent: { a: 1 } };
  expect(capToolResult(result, 100)).toBe(result);
});

test('a long result keeps what fits, drops what does not, and says what it did', () => {
  const image = { type: 'image', data: 'A'.repeat(500), mimeType: 'image/png' };
  const result = { content: [{ type: 'text', text: 'x'.repeat(50) }, image, { type: 'text', text: 'y'.repeat(100) }], structuredContent: { big: true }, isError: true };
  const capped = capToolResult(result, 120);
  const total = 50 + Buffer.byteLength(JSON.stringify(image)) + 100;
  expect(capped).toEqual({ isError: true, content: [{ type: 'text', text: 'x'.repeat(50) }, { type: 'text', text: 'y'.repeat(70) }, { type: 'text', text: truncationNote(total, 120) }] });
});

test('structuredContent alone is weighed and cut as the JSON the model would read', () => {
  const capped = capToolResult({ content: [], structuredContent: { text: 'z'.repeat(100) } }, 20);
  expect(capped.content[0]).toEqual({ type: 'text', text: '{"text":"zzzzzzzzzzz' });
  expect(capped.content[1].text).toMatch(/^\[truncated by the gateway: 111 bytes, showing the first 20\]$/);
  expect(capped.structuredContent).toBeUndefined();
});
