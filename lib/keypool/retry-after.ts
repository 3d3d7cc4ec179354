/** Reads a provider's Retry-After hint (ms, seconds or HTTP-date) so a rate-limited key cools down exactly as long as asked. */

/** Anything that can answer a header lookup: a Fetch/undici `Headers`, or a Node-style header record. */
export type HeaderSource =
  | { get(name: string): string | null | undefined }
  | Record<string, string | string[] | undefined>;

// Strict non-negative decimal: `Number()` alone would accept '', '0x10', '1e3' and ' 5 '.
const DECIMAL = /^\d+(\.\d+)?$/;
// RFC 9110 date forms all start with a weekday; without this, Date.parse('-5') or Date.parse('1') yields a date.
const HTTP_DATE = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s/i;

/**
 * Delay the upstream asked for, in whole milliseconds (rounded up), or `undefined` when it gave no usable hint.
 * Tries `retry-after-ms`, then `retry-after` as delta-seconds, then `retry-after` as an HTTP-date
 * (a date in the past means "now", 0). Unparseable or negative values are ignored.
 * The result is not capped: pass it through {@link clampCooldownMs}.
 */
export function parseRetryAfterMs(headers: HeaderSource, now: number = Date.now()): number | undefined {
  const ms = parseDecimal(readHeader(headers, 'retry-after-ms'));
  if (ms !== undefined) return Math.ceil(ms);

  const retryAfter = readHeader(headers, 'retry-after');
  if (retryAfter === undefined) return undefined;
  const seconds = parseDecimal(retryAfter);
  if (seconds !== undefined) return Math.ceil(seconds * 1000);
  if (!HTTP_DATE.test(retryAfter)) return undefined;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil(date - now));
}

/** Bounds a cooldown to `0..maxMs`, so a hostile or buggy upstream cannot park a key for days. NaN counts as 0. */
export function clampCooldownMs(ms: number, maxMs: number): number {
  if (Number.isNaN(ms)) return 0;
  return Math.min(Math.max(ms, 0), maxMs);
}

function parseDecimal(value: string | undefined): number | undefined {
  if (value === undefined || !DECIMAL.test(value)) return undefined;
  const parsed = Number(value);
  // A 400-digit "number" is garbage, not a very long wait.
  return Number.isFinite(parsed) ? parsed : undefined;
}

function readHeader(headers: HeaderSource, name: string): string | undefined {
  const raw = isHeadersLike(headers) ? headers.get(name) : findInRecord(headers, name);
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (typeof first !== 'string') return undefined;
  const trimmed = first.trim();
  return trimmed === '' ? undefined : trimmed;
}

function isHeadersLike(headers: HeaderSource): headers is { get(name: string): string | null | undefined } {
  return typeof (headers as { get?: unknown }).get === 'function';
}

function findInRecord(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | string[] | undefined {
  // Node lower-cases incoming header names, but hand-built records and other clients may not.
  if (name in headers) return headers[name];
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name) return headers[key];
  }
  return undefined;
}
