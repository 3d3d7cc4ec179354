// The limit refusal: status, code, Retry-After and each provider's rate-limit headers, from where the counter stood.
import { Refusal } from '../../lib/errors';
import { limitRefusal } from '../../lib/governance/limits/limit-refusal';
import { openaiDuration, openaiErrors } from '../../lib/apis/openai-common/openai-errors';
import { anthropicErrors } from '../../lib/apis/anthropic-messages/anthropic-errors';

test.each([
  [20, '20ms'], [999, '999ms'], [1000, '1s'], [17_400, '18s'], [60_000, '1m0s'], [361_000, '6m1s'], [3_723_000, '1h2m3s'],
])('OpenAI reset duration of %i ms is %s', (ms, text) => {
  expect(openaiDuration(ms)).toBe(text);
});

test('requests: limit_exceeded with OpenAI headers', () => {
  const error = limitRefusal({ rule: 'r', spec: { kind: 'requests', points: 10, windowMs: 60_000 }, state: { used: 11, msBeforeReset: 30_500 } }, openaiErrors.rateLimitHeaders);
  expect(error).toBeInstanceOf(Refusal);
  expect(error).toMatchObject({ status: 429, errorType: 'rate_limited', code: 'limit_exceeded', retryAfterSec: 31 });
  expect(error.headers).toEqual({ 'x-ratelimit-limit-requests': '10', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '31s' });
});

test('tokens: budget_exceeded with Anthropic headers (RFC 3339 reset)', () => {
  const error = limitRefusal({ rule: 't', spec: { kind: 'tokens', points: 100, windowMs: 60_000 }, state: { used: 150, msBeforeReset: 10_000 } }, anthropicErrors.rateLimitHeaders);
  expect(error.code).toBe('budget_exceeded');
  expect(Object.keys(error.headers!)).toEqual(['anthropic-ratelimit-tokens-limit', 'anthropic-ratelimit-tokens-remaining', 'anthropic-ratelimit-tokens-reset']);
  expect(error.headers!['anthropic-ratelimit-tokens-reset']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('concurrency and spend have no standard headers: Retry-After only (concurrency: 1 s)', () => {
  const slots = limitRefusal({ rule: 'c', spec: { kind: 'concurrent', points: 2, windowMs: undefined }, state: { used: 3, msBeforeReset: undefined } }, openaiErrors.rateLimitHeaders);
  expect(slots).toMatchObject({ code: 'limit_exceeded', retryAfterSec: 1 });
  expect(slots.headers).toBeUndefined();
  const spend = limitRefusal({ rule: 's', spec: { kind: 'spend', points: 1_000_000, windowMs: 86_400_000 }, state: { used: 1_000_000, msBeforeReset: 3_600_000 } }, openaiErrors.rateLimitHeaders);
  expect(spend).toMatchObject({ code: 'budget_exceeded', retryAfterSec: 3600 });
  expect(spend.headers).toBeUndefined();
});
