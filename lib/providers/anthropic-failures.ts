/** Anthropic's error wording the key pool classifies (see FailureClass): which refusals are the request's, not the key's. */
import type { IncomingHttpHeaders } from 'node:http';
import { failureClassifier, type FailureRule } from '../keypool/failure-table';

const TOKENS_PER_MINUTE = /would exceed (?:your organization.s|the) rate limit (?:of|for)[^.]*\b(input|output) tokens per minute/i;

function header(headers: IncomingHttpHeaders, name: string): number | undefined {
  const v = headers[name];
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** The key's token bucket was untouched (remaining = limit) and still this request would exceed it: the request alone is too large. */
function bucketWasFull(headers: IncomingHttpHeaders, kind: string): boolean {
  const limit = header(headers, `anthropic-ratelimit-${kind}-tokens-limit`);
  const remaining = header(headers, `anthropic-ratelimit-${kind}-tokens-remaining`);
  return limit !== undefined && remaining !== undefined && remaining >= limit;
}

/** In order: the first matching row decides. Unmatched 429 and 401 are key failures; unmatched 403s are relayed. */
export const ANTHROPIC_FAILURES: readonly FailureRule[] = [
  {
    statuses: [429], class: 'request_fault',
    example: 'request_too_large: Request exceeds the maximum allowed number of bytes. (413, relayed by status; also as a 429 body)',
    matches: (f) => f.type === 'request_too_large',
  },
  {
    statuses: [429], class: 'request_fault',
    example: 'prompt is too long: 215000 tokens > 200000 maximum',
    matches: (f) => /prompt is too long/i.test(f.message),
  },
  {
    statuses: [429], class: 'request_fault',
    example: "This request would exceed your organization's rate limit of 50,000 input tokens per minute (headers show the bucket full).",
    matches: (f) => {
      const m = TOKENS_PER_MINUTE.exec(f.message);
      return m !== null && bucketWasFull(f.headers, m[1].toLowerCase());
    },
  },
  {
    // Without headers saying the bucket was full it may be a busy key or a huge request: try the others, cool none.
    statuses: [429], class: 'unclear',
    example: "This request would exceed your organization's rate limit of 50,000 input tokens per minute.",
    matches: (f) => TOKENS_PER_MINUTE.test(f.message),
  },
  {
    // Permission to a model or feature: relayed as today (403 never failed over); not tied to a route, so no route skip.
    statuses: [403], class: 'request_fault',
    example: 'permission_error: Your API key does not have permission to use the specified resource.',
    matches: (f) => f.type === 'permission_error',
  },
  // Key failures by default, named here for the record: authentication_error "invalid x-api-key" (401) and the plain
  // rate_limit_error "Number of requests has exceeded your per-minute rate limit" (429).
];

export const classifyAnthropicFailure = failureClassifier(ANTHROPIC_FAILURES);
