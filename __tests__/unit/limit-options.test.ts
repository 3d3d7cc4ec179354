// The `limits` and `limitStore` options are validated at creation, each error naming the option.
import { createBridge, openaiProvider, type BridgeOptions } from '../../lib';

const base = { providers: [openaiProvider({ keys: ['sk-limit-options-0000000001'] })], actor: () => ({ id: 'a' }) };
const create = (extra: Partial<BridgeOptions> | Record<string, unknown>) => createBridge({ ...base, ...extra } as BridgeOptions);

test.each([
  [{ limits: {} }, /`limits` must be an array/],
  [{ limits: [{ per: 'actor' }] }, /`limits\[0\]` sets no limit/],
  [{ limits: [{ per: 'someone', concurrent: 1 }] }, /`limits\[0\]\.per` must be 'actor' or 'group'/],
  [{ limits: [{ per: 'group', concurrent: 1 }] }, /`limits\[0\]\.groupOf` is required/],
  [{ limits: [{ per: 'actor', groupOf: 'team', concurrent: 1 }] }, /`limits\[0\]\.groupOf` is only read/],
  [{ limits: [{ per: 'actor', requests: { points: 0, windowMs: 1000 } }] }, /`limits\[0\]\.requests\.points` must be a positive integer/],
  [{ limits: [{ per: 'actor', requests: { points: 1, windowMs: 1500 } }] }, /`limits\[0\]\.requests\.windowMs` must be a whole number of seconds/],
  [{ limits: [{ per: 'actor', tokens: { points: 1, window: 1000 } }] }, /`limits\[0\]\.tokens\.window` is not a known option; did you mean `limits\[0\]\.tokens\.windowMs`/],
  [{ limits: [{ per: 'actor', spend: { usd: -1, periodMs: 1000 } }] }, /`limits\[0\]\.spend\.usd` must be a positive number/],
  [{ limits: [{ per: 'actor', spend: { usd: 1, periodMs: 1000, prices: { m: { input: -1, output: 1 } } } }] }, /price of "m"/],
  [{ limits: [{ per: 'actor', concurrent: 1, models: [] }] }, /`limits\[0\]\.models` must be a RegExp or a non-empty array/],
  [{ limits: [{ name: 'x', per: 'actor', concurrent: 1 }, { name: 'x', per: 'actor', concurrent: 2 }] }, /two limits named "x"/],
  [{ limits: [{ name: 'a b', per: 'actor', concurrent: 1 }] }, /`limits\[0\]\.name` must be 1 to 64/],
  [{ limits: [{ per: 'actor', tokens: { points: 1, windowMs: 1000 }, enforce: 'always' }] }, /`limits\[0\]\.enforce` must be 'admission' or 'during'/],
  [{ limits: [{ per: 'actor', requests: { points: 1, windowMs: 1000 }, enforce: 'during' }] }, /`limits\[0\]\.enforce` 'during' needs a budget/],
  [{ limitStore: { redis: 'redis://127.0.0.1:6379' } }, /`limitStore` is set without `limits`/],
  [{ limits: [{ per: 'actor', concurrent: 1 }], limitStore: { redis: 'http://x' } }, /`limitStore\.redis` must be a redis:\/\/ URL or an ioredis client/],
  [{ limits: [{ per: 'actor', concurrent: 1 }], limitStore: { redis: 'redis://127.0.0.1:6379', failOpen: 'yes' } }, /`limitStore\.failOpen` must be true or false/],
  [{ limits: [{ per: 'actor', concurrent: 1 }], limitStore: { redis: 'redis://127.0.0.1:6379', prefx: 'a' } }, /`limitStore\.prefx` is not a known option; did you mean `limitStore\.prefix`/],
])('rejects %j', (extra, message) => {
  expect(() => create(extra)).toThrow(message);
});

test('accepts every kind of limit together', async () => {
  const bridge = create({ limits: [{ per: 'group', groupOf: 'team', models: /gpt/, requests: { points: 5, windowMs: 60_000 }, concurrent: 2, tokens: { points: 1000, windowMs: 60_000 }, spend: { usd: 1.5, periodMs: 86_400_000 } }] });
  expect(await bridge.usageOf({ id: 'a', metadata: { team: 't' } })).toEqual([
    expect.objectContaining({ kind: 'requests', limit: 5, used: 0 }),
    expect.objectContaining({ kind: 'concurrent', limit: 2, used: 0 }),
    expect.objectContaining({ kind: 'tokens', limit: 1000, used: 0 }),
    expect.objectContaining({ kind: 'spend', unit: 'usd', limit: 1.5, used: 0, remaining: 1.5, unpricedModels: [] }),
  ]);
  await bridge.close();
});
