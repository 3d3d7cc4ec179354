import winston from 'winston';
import { GatewayError } from '../../lib/errors';
import { KeyPool, type AttemptResult, type AttemptTrace, type Credential } from '../../lib/keypool/key-pool';
import { MemoryKeyStateStore } from '../../lib/keypool/memory-key-state-store';
import { keyOf } from '../../lib/providers/credential-headers';

const logger = winston.createLogger({ silent: true });
const COOLDOWNS = { unauthorizedMs: 60_000, rateLimitedMs: 60_000, maxMs: 3_600_000 };
const KEYS = ['sk-first-aaaaaaaaaaaaaaaaaaaa', 'sk-second-bbbbbbbbbbbbbbbbbbb', 'sk-third-cccccccccccccccccccc'];

function answer(status: number, headers: Record<string, string> = {}) {
  const discarded = { count: 0 };
  const result: AttemptResult & { discarded: typeof discarded } = { status, headers, discard: () => discarded.count++, discarded };
  return result;
}

/** Scripted attempts: key → status/headers; returns the keys tried, in order. */
function scripted(script: Record<string, ReturnType<typeof answer>>) {
  const tried: string[] = [];
  const attempt = async (c: Credential) => {
    tried.push(keyOf(c.upstream, 'test'));
    return script[keyOf(c.upstream, 'test')] ?? answer(200);
  };
  return { tried, attempt };
}

describe('KeyPool.walk', () => {
  test('tries keys in order, skips failures, returns the first answer that is not a key failure', async () => {
    const pool = new KeyPool(KEYS, new MemoryKeyStateStore(), COOLDOWNS, logger);
    const first = answer(429, { 'retry-after': '30' });
    const second = answer(401);
    const { tried, attempt } = scripted({ [KEYS[0]]: first, [KEYS[1]]: second });
    const trace: AttemptTrace = { attempts: 0 };
    const result = await pool.walk(attempt, trace);
    expect(result.status).toBe(200);
    expect(tried).toEqual(KEYS);
    expect(first.discarded.count).toBe(1);
    expect(second.discarded.count).toBe(1);
    expect(trace).toMatchObject({ attempts: 3, failovers: 2, credential: { hint: 'sk-t...cccc', kind: 'centralized' } });

    const again = scripted({});
    await pool.walk(again.attempt, { attempts: 0 });
    expect(again.tried).toEqual([KEYS[2]]); // the two cooling keys are skipped
  });

  test.each([403, 500, 400, 503])('%i is final: no failover, no cooldown', async (status) => {
    const pool = new KeyPool(KEYS, new MemoryKeyStateStore(), COOLDOWNS, logger);
    const { tried, attempt } = scripted({ [KEYS[0]]: answer(status) });
    expect((await pool.walk(attempt, { attempts: 0 })).status).toBe(status);
    expect(tried).toEqual([KEYS[0]]);
    expect((await pool.status()).every((k) => k.state === 'healthy')).toBe(true);
  });

  test('transport errors propagate without failover', async () => {
    const pool = new KeyPool(KEYS, new MemoryKeyStateStore(), COOLDOWNS, logger);
    const tried: string[] = [];
    await expect(pool.walk(async (c) => { tried.push(keyOf(c.upstream, 'test')); throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }); }, { attempts: 0 })).rejects.toThrow('refused');
    expect(tried).toEqual([KEYS[0]]);
  });

  test('exhaustion by rate limits → 429 with the smallest remaining cooldown among rate-limited keys', async () => {
    const pool = new KeyPool(KEYS, new MemoryKeyStateStore(), COOLDOWNS, logger);
    const { attempt } = scripted({
      [KEYS[0]]: answer(429, { 'retry-after': '30' }),
      [KEYS[1]]: answer(401),
      [KEYS[2]]: answer(429, { 'retry-after-ms': '4500' }),
    });
    const trace: AttemptTrace = { attempts: 0 };
    const err = await pool.walk(attempt, trace).catch((e) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ status: 429, errorType: 'rate_limited', retryAfterSec: 5 });
    expect(trace.exhausted).toBe(true);

    // Nothing is attempted while every key cools; the answer is the same kind.
    const idle = scripted({});
    const again = await pool.walk(idle.attempt, { attempts: 0 }).catch((e) => e);
    expect(idle.tried).toEqual([]);
    expect(again).toMatchObject({ status: 429, retryAfterSec: 5 });
  });

  test('exhaustion by authentication failures only → 502', async () => {
    const pool = new KeyPool(KEYS.slice(0, 2), new MemoryKeyStateStore(), COOLDOWNS, logger);
    const { attempt } = scripted({ [KEYS[0]]: answer(401), [KEYS[1]]: answer(401) });
    await expect(pool.walk(attempt, { attempts: 0 })).rejects.toMatchObject({ status: 502, errorType: 'server_error', retryAfterSec: undefined });
  });

  test('cooldowns are bounded by maxMs and default to rateLimitedMs without a hint', async () => {
    const store = new MemoryKeyStateStore();
    const pool = new KeyPool(KEYS.slice(0, 2), store, { ...COOLDOWNS, maxMs: 10_000 }, logger);
    const before = Date.now();
    await pool.walk(scripted({ [KEYS[0]]: answer(429, { 'retry-after': '999999' }), [KEYS[1]]: answer(429) }).attempt, { attempts: 0 }).catch(() => undefined);
    const [a, b] = await pool.status();
    expect(a.coolingUntil!.getTime() - before).toBeLessThanOrEqual(10_100);
    expect(b.coolingUntil!.getTime() - before).toBeLessThanOrEqual(10_100); // 60 s default, capped to 10 s
    expect(a.reason).toBe('rate_limited');
  });

  test('a failing store is logged and treated as "all healthy"; the walk still works', async () => {
    const broken = { getCooldowns: () => { throw new Error('store down'); }, markCooldown: () => Promise.reject(new Error('store down')) };
    const pool = new KeyPool(KEYS, broken, COOLDOWNS, logger);
    const { tried, attempt } = scripted({ [KEYS[0]]: answer(429) });
    expect((await pool.walk(attempt, { attempts: 0 })).status).toBe(200);
    expect(tried).toEqual(KEYS.slice(0, 2));
  });

  test('status never contains key material', async () => {
    const pool = new KeyPool(KEYS, new MemoryKeyStateStore(), COOLDOWNS, logger);
    await pool.walk(scripted({ [KEYS[0]]: answer(401) }).attempt, { attempts: 0 });
    const text = JSON.stringify(await pool.status());
    for (const key of KEYS) expect(text).not.toContain(key);
    expect(text).toContain('sk-f...aaaa');
  });
});
