/** The path guard: which request paths are ambiguous enough to refuse, as a table and as properties. */
import fc from 'fast-check';
import { isUnsafePath } from '../../lib/http/path-guard';

test.each([
  '/openai/v1/../x', '/openai/v1/..', '/openai/./v1', '/a/%2e%2e/b', '/a/%2E/b', '/a%2fb', '/a%5cb', '/a\\b', '..',
  '/a/..;/b', '/a/..;', '/a/b;c=1', '/a/%252e%252e/b', '/a/%25252e%25252e/b', '/a/%2525252e/b',
  '/a/\uff0e\uff0e/b', '/a/%EF%BC%8E%EF%BC%8E/b', '/a/%ef%bc%8e/b', '/a/%E2%80%A4%E2%80%A4/b', '/a/%E2%80%A5/b',
  '/a/%25EF%25BC%258E%25EF%25BC%258E/b', '/a/..%EF%BC%8F../b', '/a/x%EF%BC%8Ey', '/a/%00', '/a/%zz', '/a/%ff', '/a/%',
])('%s is unsafe', (p) => {
  expect(isUnsafePath(p)).toBe(true);
});

test.each([
  '/openai/v1/models', '/openai/v1/models/gpt-3.5-turbo', '/openai/v1/models/ft:gpt-4o:org:x', '/a/...b', '/a/b..',
  '/a/caf%C3%A9', '/a/caf\u00e9', '/a/%20x', '/a/\uff41', '',
])('%s is fine', (p) => {
  expect(isUnsafePath(p)).toBe(false);
});

// Every way of writing one character that some decoding or normalising layer reads as `.` or as a separator.
const DOT = fc.constantFrom('.', '%2e', '%2E', '%252e', '%25252E', '\uff0e', '%EF%BC%8E', '%ef%bc%8e', '\u2024', '%E2%80%A4', '%25EF%25BC%258E');
const SEPARATOR = fc.constantFrom('/', '%2f', '%2F', '%5c', '%5C', '\\', '%252f', '%255c', '\uff0f', '%EF%BC%8F');
const SEGMENT = fc.stringMatching(/^[a-z0-9_:-]{1,8}$/);

test('property: a dot segment in any mix of encodings, between any separators, is unsafe', () => {
  const dotSegment = fc.oneof(fc.tuple(DOT), fc.tuple(DOT, DOT)).map((d) => d.join(''));
  const suffix = fc.constantFrom('', ';', ';x=1');
  fc.assert(fc.property(fc.array(SEGMENT, { maxLength: 3 }), dotSegment, suffix, SEPARATOR, fc.array(SEGMENT, { maxLength: 3 }), (before, dots, semi, sep, after) => {
    const path = ['', ...before, dots + semi].join('/') + (after.length ? sep + after.join('/') : '');
    expect(isUnsafePath(path)).toBe(true);
  }), { numRuns: 2000 });
});

test('property: plain segments (dots inside names allowed) are fine', () => {
  const name = fc.stringMatching(/^[a-zA-Z0-9_:-]+(\.[a-zA-Z0-9_:-]+)*$/);
  fc.assert(fc.property(fc.array(name, { minLength: 1, maxLength: 6 }), (segments) => {
    expect(isUnsafePath('/' + segments.join('/'))).toBe(false);
  }), { numRuns: 1000 });
});
