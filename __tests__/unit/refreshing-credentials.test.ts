/** refreshingCredentials: tokens given synchronously while valid, one shared exchange, hostile exchange answers refused. */
import { refreshingCredentials, type ExchangedToken } from '../../lib/providers/refreshing-credentials';
import { maskKey } from '../../lib/redaction/key-mask';

const SECRET = 'ghu_longlived_secret_aaaaaaaaaaaa1';

function fixture(answer: (n: number) => ExchangedToken | Promise<ExchangedToken>) {
  const clock = { now: 1_000_000 };
  const calls: string[] = [];
  const source = refreshingCredentials({
    entries: [{ secret: SECRET, id: 'alpha' }],
    now: () => clock.now,
    refreshBeforeMs: 60_000,
    exchange: async ({ secret }) => { calls.push(secret); return answer(calls.length); },
  });
  return { clock, calls, source };
}

const token = (n: number) => `tok-${n}-${'x'.repeat(20)}`;

test('entries carry the long-lived secret to redact and its hint; a valid token is given synchronously', async () => {
  const { clock, calls, source } = fixture((n) => ({ token: token(n), expiresAt: clock.now + 600_000 }));
  expect(source.entries).toEqual([{ id: 'alpha', hint: maskKey(SECRET), secrets: [SECRET] }]);
  const first = await source.current(0);
  expect(first).toEqual({ type: 'key', id: 'alpha', hint: maskKey(SECRET), secrets: [token(1)], key: token(1) });
  expect(source.current(0)).toBe(first);
  expect(calls).toEqual([SECRET]);
});

test('concurrent asks share one exchange; past expiry the next ask waits for a new token', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const { clock, calls, source } = fixture(async (n) => { await gate; return { token: token(n), expiresAt: new Date(clock.now + 600_000) }; });
  const asks = [source.current(0), source.current(0), source.current(0)];
  release();
  const got = await Promise.all(asks);
  expect(calls).toHaveLength(1);
  expect(new Set(got).size).toBe(1);
  clock.now += 600_001;
  expect(((await source.current(0)) as { key: string }).key).toBe(token(2));
  expect(calls).toHaveLength(2);
});

test('inside the refresh window the valid token serves while one exchange replaces it; a failed replacement keeps it a while', async () => {
  let fail = false;
  const { clock, calls, source } = fixture((n) => (fail ? Promise.reject(new Error('down')) : { token: token(n), expiresAt: clock.now + 600_000 }));
  const first = await source.current(0);
  clock.now += 550_000;
  fail = true;
  expect(source.current(0)).toBe(first);
  await new Promise((resolve) => setImmediate(resolve));
  expect(calls).toHaveLength(2);
  expect(source.current(0)).toBe(first); // retried later, not on every attempt
  expect(calls).toHaveLength(2);
  clock.now += 5_001;
  fail = false;
  source.current(0);
  await new Promise((resolve) => setImmediate(resolve));
  expect(calls).toHaveLength(3);
  expect(((source.current(0)) as { key: string }).key).toBe(token(3));
});

test.each([
  ['a token with a newline (header injection)', { token: 'tok\r\nx-evil: 1', expiresAt: 2_000_000 }],
  ['an empty token', { token: '', expiresAt: 2_000_000 }],
  ['an expired token', { token: token(1), expiresAt: 999_999 }],
  ['no answer', undefined as unknown as ExchangedToken],
])('an exchange giving %s is a failure', async (_, answer) => {
  const { source } = fixture(() => answer);
  await expect(source.current(0)).rejects.toThrow(/refreshingCredentials: the exchange for entry alpha gave/);
});

test('an exchange that ignores its deadline still fails at exchangeTimeoutMs', async () => {
  const source = refreshingCredentials({ entries: ['ghu_longlived_secret_bbbbbbbbbbbb2'], exchangeTimeoutMs: 50, exchange: () => new Promise<ExchangedToken>(() => undefined) });
  await expect(source.current(0)).rejects.toMatchObject({ name: 'TimeoutError' });
});

test('a waiter that aborts leaves; the exchange it shared goes on for the others', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const { clock, calls, source } = fixture(async (n) => { await gate; return { token: token(n), expiresAt: clock.now + 600_000 }; });
  const abort = new AbortController();
  const leaving = source.current(0, abort.signal);
  const staying = source.current(0);
  abort.abort(new Error('gone'));
  await expect(leaving).rejects.toThrow('gone');
  release();
  expect(((await staying) as { key: string }).key).toBe(token(1));
  expect(calls).toHaveLength(1);
});

test.each([
  [{ exchange: async () => ({ token: 't', expiresAt: 0 }) }, /`entries` must be a non-empty array/],
  [{ entries: ['a b'], exchange: async () => ({ token: 't', expiresAt: 0 }) }, /`entries\[0\]` must be a non-empty secret/],
  [{ entries: [{ secret: 'aaaaaaaa', id: 'x' }, { secret: 'bbbbbbbb', id: 'x' }], exchange: async () => ({ token: 't', expiresAt: 0 }) }, /`entries\[1\].id`/],
  [{ entries: ['aaaaaaaa'] }, /`exchange` must be a function/],
  [{ entries: ['aaaaaaaa'], exchange: async () => ({ token: 't', expiresAt: 0 }), refreshBeforeMs: -1 }, /`refreshBeforeMs`/],
  [{ entries: ['aaaaaaaa'], exchange: async () => ({ token: 't', expiresAt: 0 }), exchangeTimeoutMs: 0 }, /`exchangeTimeoutMs` must be a whole number of milliseconds from 1/],
  [{ entries: ['aaaaaaaa'], exchange: async () => ({ token: 't', expiresAt: 0 }), refresh: 1 }, /`refresh` is not a known option/],
])('bad options are refused at creation, naming the option', (options, message) => {
  expect(() => refreshingCredentials(options as never)).toThrow(message);
});
