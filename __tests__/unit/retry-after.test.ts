/** parseRetryAfterMs / clampCooldownMs: every form of the hint, and everything that must be ignored. */
import { clampCooldownMs, parseRetryAfterMs } from '../../lib/keypool/retry-after';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);

describe('parseRetryAfterMs', () => {
  it('reads retry-after-ms, including fractions (rounded up)', () => {
    expect(parseRetryAfterMs({ 'retry-after-ms': '1500' }, NOW)).toBe(1500);
    expect(parseRetryAfterMs({ 'retry-after-ms': '20.25' }, NOW)).toBe(21);
  });

  it('prefers retry-after-ms over retry-after', () => {
    expect(parseRetryAfterMs({ 'retry-after-ms': '300', 'retry-after': '10' }, NOW)).toBe(300);
  });

  it('reads retry-after as delta-seconds, including fractions', () => {
    expect(parseRetryAfterMs({ 'retry-after': '7' }, NOW)).toBe(7000);
    expect(parseRetryAfterMs({ 'retry-after': '0.5' }, NOW)).toBe(500);
    expect(parseRetryAfterMs({ 'retry-after': '0' }, NOW)).toBe(0);
  });

  it('reads retry-after as an HTTP-date in the future', () => {
    const date = new Date(NOW + 30_000).toUTCString();
    expect(parseRetryAfterMs({ 'retry-after': date }, NOW)).toBe(30_000);
  });

  it('treats an HTTP-date in the past as no wait', () => {
    const date = new Date(NOW - 30_000).toUTCString();
    expect(parseRetryAfterMs({ 'retry-after': date }, NOW)).toBe(0);
  });

  it('ignores garbage, negative and NaN values', () => {
    for (const value of ['soon', '', '  ', 'NaN', '-5', '-0.5', '1e3', '0x10', '5s', 'Infinity', '9'.repeat(400)]) {
      expect(parseRetryAfterMs({ 'retry-after': value }, NOW)).toBeUndefined();
    }
    expect(parseRetryAfterMs({ 'retry-after': 'Mon, 99 Foo 2025 99:99:99 GMT' }, NOW)).toBeUndefined();
    expect(parseRetryAfterMs({}, NOW)).toBeUndefined();
  });

  it('falls through from a bad retry-after-ms to retry-after', () => {
    expect(parseRetryAfterMs({ 'retry-after-ms': '-1', 'retry-after': '2' }, NOW)).toBe(2000);
    expect(parseRetryAfterMs({ 'retry-after-ms': 'abc' }, NOW)).toBeUndefined();
  });

  it('passes huge values through for the caller to clamp', () => {
    const ms = parseRetryAfterMs({ 'retry-after': '999999999' }, NOW);
    expect(ms).toBe(999_999_999_000);
    expect(clampCooldownMs(ms as number, 300_000)).toBe(300_000);
  });

  it('looks headers up case-insensitively and takes the first of repeated values', () => {
    expect(parseRetryAfterMs({ 'Retry-After': '3' }, NOW)).toBe(3000);
    expect(parseRetryAfterMs({ 'RETRY-AFTER-MS': '42' }, NOW)).toBe(42);
    expect(parseRetryAfterMs({ 'retry-after': ['4', '9'] }, NOW)).toBe(4000);
    expect(parseRetryAfterMs({ 'retry-after': [] }, NOW)).toBeUndefined();
  });

  it('accepts a Fetch Headers object', () => {
    expect(parseRetryAfterMs(new Headers({ 'Retry-After-Ms': '250' }), NOW)).toBe(250);
    expect(parseRetryAfterMs(new Headers({ 'retry-after': '2' }), NOW)).toBe(2000);
    expect(parseRetryAfterMs(new Headers(), NOW)).toBeUndefined();
  });

  it('accepts any object with get()', () => {
    const headers = { get: (name: string) => (name === 'retry-after' ? '1' : null) };
    expect(parseRetryAfterMs(headers, NOW)).toBe(1000);
  });
});

describe('clampCooldownMs', () => {
  it('bounds to 0..max', () => {
    expect(clampCooldownMs(500, 1000)).toBe(500);
    expect(clampCooldownMs(5000, 1000)).toBe(1000);
    expect(clampCooldownMs(-5, 1000)).toBe(0);
    expect(clampCooldownMs(Infinity, 1000)).toBe(1000);
    expect(clampCooldownMs(NaN, 1000)).toBe(0);
  });
});
