/** Price lookup (exact, longest prefix), overrides, and costs that never price an unknown model at zero. */
import { DEFAULT_PRICES, PRICES_AS_OF, Pricer } from '../../lib/recorder/prices';
import * as api from '../../lib';

const tokens = (input: number, output = 0, cacheRead = 0, cacheWrite = 0) => ({ input, output, cacheRead, cacheWrite });

test('shipped table is dated, exported, and covers current models', () => {
  expect(api.PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(api.DEFAULT_PRICES).toBe(DEFAULT_PRICES);
  for (const m of ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'o3', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'claude-opus-4', 'claude-sonnet-4', 'claude-3-5-haiku']) {
    expect([m, DEFAULT_PRICES[m]]).toEqual([m, expect.objectContaining({ input: expect.any(Number), output: expect.any(Number) })]);
  }
  expect(PRICES_AS_OF).toBe(api.PRICES_AS_OF);
});

test('dated snapshots take the longest known prefix', () => {
  const p = new Pricer();
  expect(p.priceOf('gpt-4o-2024-08-06')?.input).toBe(DEFAULT_PRICES['gpt-4o']!.input);
  expect(p.priceOf('gpt-4o-mini-2024-07-18')?.input).toBe(DEFAULT_PRICES['gpt-4o-mini']!.input);
  expect(p.priceOf('claude-sonnet-4-20250514')?.output).toBe(15);
  expect(p.priceOf('claude-opus-4-5-20251101')?.input).toBe(5);
  expect(p.priceOf('llama-3')).toBeUndefined();
});

test('cost: priced models in USD, unknown ones counted apart and never as zero-cost tokens', () => {
  const p = new Pricer({ prices: { mine: { input: 1, output: 2, cacheRead: 0.5, cacheWrite: 4 } }, defaultPrices: false });
  const c = p.cost(new Map([['mine', tokens(1_000_000, 1_000_000, 1_000_000, 1_000_000)], ['gpt-4o', tokens(10, 5)], ['zzz', tokens(0)]]));
  expect(c).toEqual({ usd: 1 + 2 + 0.5 + 4, unpricedTokens: 15, unpricedModels: ['gpt-4o'], estimate: true });
});

test('overrides merge over the defaults; cache prices default to the input price', () => {
  const p = new Pricer({ prices: { 'gpt-4o': { input: 1, output: 1 } } });
  expect(p.priceOf('gpt-4o-2024-08-06')).toEqual({ input: 1, output: 1, cacheRead: 1, cacheWrite: 1 });
  expect(p.priceOf('o3')).toBeDefined();
});

test('a bad price is an error at creation, naming the store and the model', () => {
  expect(() => new Pricer({ prices: { x: { input: -1, output: 1 } } }, 'SqliteRecorder')).toThrow(/SqliteRecorder: the price of "x"/);
  expect(() => new Pricer({ prices: { x: { input: 1, output: Number.NaN } } })).toThrow(/"x"/);
});

test('costs are rounded to 1e-10 USD, so no float noise reaches a JSON answer', () => {
  const p = new Pricer({ prices: { mini: { input: 0.15, output: 0.6 }, big: { input: 2.5, output: 10 } }, defaultPrices: false });
  // (1000 × 0.15 + 58 × 0.6) / 1e6 is 0.00018480000000000002 in floating point.
  const c = p.cost(new Map([['mini', tokens(1000, 58)]]));
  expect(JSON.stringify(c.usd)).toBe('0.0001848');
  expect(p.cost(new Map([['mini', tokens(1, 0)]])).usd).toBe(1.5e-7);
  expect(p.cost(new Map([['mini', tokens(1000, 58)], ['big', tokens(1232, 84)]])).usd).toBe(0.0041048);
  // Large sums keep their cents.
  expect(p.cost(new Map([['big', tokens(4_000_000_000, 123_456_789)]])).usd).toBe(11_234.56789);
});
