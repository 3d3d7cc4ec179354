// The limits in process memory stay bounded whatever the number of subjects: a client may mint actors.
import winston from 'winston';
import { normalizeLimits } from '../../lib/governance/limits/limit-options';
import { Limits } from '../../lib/governance/limits/limits';
import { LimitStore } from '../../lib/governance/limits/limit-store';
import { ENTRY_BYTES } from '../../lib/governance/limits/memory-counter';

const logger = winston.createLogger({ silent: true });
const ACTORS = 2_000;

test('concurrency slots: a subject back to none in flight is forgotten, so many distinct actors leave nothing behind', async () => {
  const limits = new Limits(normalizeLimits('createBridge', [
    { name: 'slots', per: 'actor', concurrent: 2 },
    { name: 'team-slots', per: 'group', groupOf: 'team', concurrent: 3 },
  ], undefined)!, logger);
  const admissions = [];
  for (let i = 0; i < ACTORS; i++) admissions.push(await limits.admit({ id: `minted-${i}`, metadata: { team: `t${i}` } }, 'gpt-4o-mini', undefined));
  expect(limits.store.memorySubjects).toBe(2 * ACTORS);
  // Still counted while in flight: the third of one actor is refused.
  await limits.admit({ id: 'minted-0', metadata: { team: 'other' } }, 'm', undefined);
  await expect(limits.admit({ id: 'minted-0', metadata: { team: 'other' } }, 'm', undefined)).rejects.toMatchObject({ code: 'limit_exceeded' });
  for (const a of admissions) a!.release();
  await new Promise((r) => setTimeout(r, 10));
  // minted-0 and the group `other` still hold one each.
  expect(limits.store.memorySubjects).toBe(2);
  expect((await limits.usageOf({ id: 'minted-1', metadata: { team: 't1' } })).map((u) => u.used)).toEqual([0, 0]);
});

test('windowed counters: past the memory bound the oldest subjects are forgotten (their window starts again), the rest still count', async () => {
  const store = new LimitStore(undefined, logger, 100 * ENTRY_BYTES);
  const counter = store.counter('per-minute', { kind: 'requests', points: 2, windowMs: 60_000 });
  for (let i = 0; i < ACTORS; i++) expect(await counter.take(`minted-${i}`, 1)).toBeUndefined();
  expect(store.memorySubjects).toBeLessThanOrEqual(100);
  expect(store.memorySubjects).toBeGreaterThan(50);
  // The most recent subjects are still counted: the third request in the window is refused.
  const last = `minted-${ACTORS - 1}`;
  expect(await counter.take(last, 1)).toBeUndefined();
  expect(await counter.take(last, 1)).toBeDefined();
  expect((await counter.read(last)).used).toBe(2);
});

test('windowed counters: an expired window is forgotten', async () => {
  const store = new LimitStore(undefined, logger);
  const counter = store.counter('per-second', { kind: 'tokens', points: 10, windowMs: 1_000 });
  for (let i = 0; i < 50; i++) await counter.add(`minted-${i}`, 3);
  expect(store.memorySubjects).toBe(50);
  await new Promise((r) => setTimeout(r, 1_100));
  expect((await counter.read('minted-0')).used).toBe(0);
  await counter.add('fresh', 1);
  expect(store.memorySubjects).toBe(1);
});
