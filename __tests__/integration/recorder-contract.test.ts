/** One contract for every built-in store: records round-trip, and UsageQuery answers the same on the same data. */
import type { InterceptionRecord } from '../../lib/recorder/types';
import { requireService } from '../helpers/services';
import { cleanupStores, pgAvailable, STORE_KINDS, type TestStore } from '../helpers/stores';
import { expectedTotals, feed, makeSeed, type Expected } from '../helpers/usage-seed';

const seed = makeSeed();
const results = new Map<string, unknown>();
const pgUp = pgAvailable();

afterAll(cleanupStores);

function expectTotals(actual: Record<string, unknown> & { cost: { usd: number; unpricedTokens: number; unpricedModels: string[]; estimate: true } }, e: Expected): void {
  const { cost, ...counts } = actual;
  const { usd, unpricedTokens, unpricedModels, ...expectedCounts } = e;
  expect(counts).toMatchObject(expectedCounts);
  expect(cost.usd).toBeCloseTo(usd, 9);
  expect(cost).toMatchObject({ unpricedTokens, unpricedModels, estimate: true });
}

const hourOf = (s: InterceptionRecord) => Math.floor(s.startedAt.getTime() / 3_600_000) * 3_600_000;

for (const kind of STORE_KINDS) {
  const suite = kind.name === 'PostgresRecorder' ? requireService('PostgreSQL', pgUp) : describe;
  suite(`${kind.name} contract`, () => {
    let store: TestStore;
    beforeAll(async () => {
      store = await kind.make();
      feed(store, seed);
      await store.flush?.();
    });
    afterAll(async () => {
      await store.close?.();
    });

    test('every record type round-trips', async () => {
      for (const start of seed.starts) {
        const d = await store.interception(start.id);
        expect(d?.interception).toEqual(start);
        expect(d?.ended).toEqual(seed.ends.find((e) => e.id === start.id));
        expect(d?.tokenUsages).toEqual(seed.tokens.filter((t) => t.interceptionId === start.id));
        expect(d?.prompts).toEqual(seed.prompts.filter((t) => t.interceptionId === start.id));
        expect(d?.tools).toEqual(seed.tools.filter((t) => t.interceptionId === start.id));
        expect(d?.thoughts).toEqual(seed.thoughts.filter((t) => t.interceptionId === start.id));
      }
      expect(await store.interception('no-such-id')).toBeUndefined();
      expect(await kind.passthroughs(store)).toEqual(seed.passthroughs);
      results.set(`${kind.name}:detail`, await store.interception('i-005'));
    });

    test('absurd token counts (1e308, negative, fractional, NaN) are kept by one rule: whole, 0..MAX_SAFE_INTEGER', async () => {
      const own = await kind.make();
      try {
        const start = seed.starts[0]!;
        own.recordInterception(start);
        own.recordTokenUsage({ interceptionId: start.id, msgId: 'm', input: -5, output: 1e308, cacheRead: 2.6, cacheWrite: Number.NaN, createdAt: new Date(0) });
        await own.flush?.();
        const [stored] = (await own.interception(start.id))!.tokenUsages;
        expect(stored).toMatchObject({ input: 0, output: Number.MAX_SAFE_INTEGER, cacheRead: 3, cacheWrite: 0 });
        results.set(`${kind.name}:absurd`, await own.totals());
      } finally {
        await own.close?.();
      }
    });

    test('totals, with and without range and filters', async () => {
      expectTotals(await store.totals() as never, expectedTotals(seed, () => true));
      const from = new Date(Date.UTC(2025, 5, 1, 3));
      const to = new Date(Date.UTC(2025, 5, 1, 12));
      const inRange = (s: InterceptionRecord) => s.startedAt >= from && s.startedAt < to;
      expectTotals(await store.totals({ range: { from, to } }) as never, expectedTotals(seed, inRange));
      expectTotals(await store.totals({ range: { from }, filter: { actor: 'bob', provider: 'openai' } }) as never,
        expectedTotals(seed, (s) => s.startedAt >= from && s.initiatorId === 'bob' && s.providerName === 'openai'));
      expectTotals(await store.totals({ filter: { client: '' } }) as never, expectedTotals(seed, (s) => s.client === undefined));
      expectTotals(await store.totals({ filter: { model: 'nope' } }) as never, expectedTotals(seed, () => false));
      results.set(`${kind.name}:totals`, await store.totals({ range: { from, to } }));
    });

    test('groupBy every dimension, ranked by tokens, limited', async () => {
      const dims = { actor: (s: InterceptionRecord) => s.initiatorId, model: (s: InterceptionRecord) => s.model, provider: (s: InterceptionRecord) => s.providerName, client: (s: InterceptionRecord) => s.client ?? '' };
      for (const [by, keyOf] of Object.entries(dims)) {
        const groups = await store.groupBy({ by: by as keyof typeof dims });
        const keys = [...new Set(seed.starts.map(keyOf))];
        expect(groups.map((g) => g.key).sort()).toEqual([...keys].sort());
        for (const g of groups) expectTotals(g as never, expectedTotals(seed, (s) => keyOf(s) === g.key));
        const tokens = groups.map((g) => g.input + g.output + g.cacheRead + g.cacheWrite);
        expect(tokens).toEqual([...tokens].sort((a, b) => b - a));
        results.set(`${kind.name}:groupBy:${by}`, groups);
      }
      expect(await store.groupBy({ by: 'model', limit: 2 })).toHaveLength(2);
      const mystery = (await store.groupBy({ by: 'model' })).find((g) => g.key === 'mystery-model')!;
      expect(mystery.cost.usd).toBe(0);
      expect(mystery.cost.unpricedModels).toEqual(['mystery-model']);
      expect(mystery.cost.unpricedTokens).toBeGreaterThan(0);
    });

    test('timeSeries by hour and day (UTC), optionally grouped', async () => {
      const hours = await store.timeSeries({ bucket: 'hour' });
      const expectedHours = [...new Set(seed.starts.map(hourOf))].sort((a, b) => a - b);
      expect(hours.map((p) => p.bucketStart.getTime())).toEqual(expectedHours);
      for (const p of hours) {
        expect(p.key).toBeUndefined();
        expectTotals(p as never, expectedTotals(seed, (s) => hourOf(s) === p.bucketStart.getTime()));
      }
      const days = await store.timeSeries({ bucket: 'day', by: 'actor', filter: { provider: 'anthropic' } });
      for (const p of days) {
        expect(p.bucketStart.getUTCHours()).toBe(0);
        expectTotals(p as never, expectedTotals(seed, (s) => s.providerName === 'anthropic' && s.initiatorId === p.key
          && Math.floor(s.startedAt.getTime() / 86_400_000) * 86_400_000 === p.bucketStart.getTime()));
      }
      expect(days.reduce((n, p) => n + p.interceptions, 0)).toBe(seed.starts.filter((s) => s.providerName === 'anthropic').length);
      results.set(`${kind.name}:series`, [hours, days]);
    });

    test('topTools counts injected and client tools apart, with errors', async () => {
      const tools = await store.topTools();
      const expected = new Map<string, { calls: number; errors: number }>();
      for (const t of seed.tools) {
        const k = `${t.tool}|${t.serverUrl ?? ''}|${t.injected}`;
        const e = expected.get(k) ?? { calls: 0, errors: 0 };
        e.calls++;
        if (t.invocationError !== undefined) e.errors++;
        expected.set(k, e);
      }
      expect(tools).toHaveLength(expected.size);
      for (const t of tools) expect(expected.get(`${t.tool}|${t.serverUrl ?? ''}|${t.injected}`)).toEqual({ calls: t.calls, errors: t.errors });
      expect(tools.map((t) => t.calls)).toEqual([...tools.map((t) => t.calls)].sort((a, b) => b - a));
      const alice = await store.topTools({ filter: { actor: 'alice' }, limit: 1 });
      expect(alice).toHaveLength(1);
      results.set(`${kind.name}:tools`, tools);
    });

    test('recentInterceptions pages newest first, stable under equal start times', async () => {
      const order = [...seed.starts].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.id < b.id ? 1 : -1)).map((s) => s.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.recentInterceptions({ limit: 7, cursor });
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 20);
      expect(seen).toEqual(order);
      expect(pages).toBe(Math.ceil(order.length / 7));
      const first = (await store.recentInterceptions({ limit: 500, filter: { actor: 'carol' } })).items;
      expect(first.every((i) => i.initiatorId === 'carol')).toBe(true);
      const row = first.find((i) => i.id === 'i-002')!;
      const tokens = seed.tokens.filter((t) => t.interceptionId === 'i-002');
      expect(row).toMatchObject({
        status: 'failed', httpStatus: 429, errorType: 'rate_limited', credentialHint: 'sk-b...bbbb', model: 'claude-sonnet-4-20250514',
        attempts: seed.ends.find((e) => e.id === 'i-002')!.attempts, input: tokens.reduce((n, t) => n + t.input, 0),
      });
      expect(row.cost.usd).toBeGreaterThan(0);
      await expect(store.recentInterceptions({ cursor: 'not-a-cursor' })).rejects.toThrow(/cursor/);
      results.set(`${kind.name}:recent`, first);
    });

    test('50 concurrent writers lose nothing', async () => {
      const fresh = await kind.make();
      try {
        await Promise.all(Array.from({ length: 50 }, async (_, w) => {
          for (let k = 0; k < 20; k++) {
            const id = `w${w}-${k}`;
            fresh.recordInterception({ ...seed.starts[0]!, id, initiatorId: `writer-${w}`, startedAt: new Date(Date.UTC(2025, 6, 1) + k) });
            fresh.recordTokenUsage({ interceptionId: id, msgId: 'm', input: 1, output: 2, cacheRead: 0, cacheWrite: 0, createdAt: new Date() });
            fresh.recordInterceptionEnded({ id, endedAt: new Date(), status: 'completed' });
            await new Promise((r) => setImmediate(r));
          }
        }));
        await fresh.flush?.();
        expect(await fresh.totals()).toMatchObject({ interceptions: 1000, completed: 1000, input: 1000, output: 2000 });
        expect((await fresh.groupBy({ by: 'actor', limit: 100 })).length).toBe(50);
      } finally {
        await fresh.close?.();
      }
    });
  });
}

describe('every store gives the same answers', () => {
  test('Sqlite (and Postgres when it runs) equal Memory on every query', () => {
    const names = STORE_KINDS.map((k) => k.name).filter((n) => results.has(`${n}:totals`));
    expect(names).toContain('SqliteRecorder');
    const norm = (v: unknown) => JSON.parse(JSON.stringify(v));
    for (const key of [...results.keys()].filter((k) => k.startsWith('MemoryRecorder:'))) {
      const what = key.slice('MemoryRecorder:'.length);
      for (const n of names) expect([n, what, norm(results.get(`${n}:${what}`))]).toEqual([n, what, norm(results.get(key))]);
    }
  });
});
