/** How the SQL stores write a batch: many rows per statement, one row per interception, hostile text intact, prepared statements lost by the server. */
import { Pool } from 'pg';
import { PostgresRecorder } from '../../lib/recorder/postgres-recorder';
import type { PromptUsageRecord, ToolUsageRecord } from '../../lib/recorder/types';
import { requireService } from '../helpers/services';
import { cleanupStores, freshSchema, PG_URL, pgAvailable, postgresStore, sqliteStore, type TestStore } from '../helpers/stores';
import { makeSeed, TEST_PRICES } from '../helpers/usage-seed';

afterAll(cleanupStores);

/** Texts that break a careless array literal or quoting: quotes, backslashes, braces, commas, the word NULL, empty. */
const HOSTILE = ['say "hi"', 'C:\\path\\', '{a,b}', 'NULL', '', 'a,b', '\\"', 'line\nbreak\ttab', 'ünïcødé 🚀', '}{"\\'];

const STORES: Array<[string, () => Promise<TestStore>, boolean]> = [
  ['SqliteRecorder', async () => sqliteStore(), true],
  ['PostgresRecorder', async () => { const s = postgresStore(); await s.ready(); return s; }, pgAvailable()],
];

describe.each(STORES)('%s batch writes', (_name, make, available) => {
  const run = available ? test : test.skip;

  // 150 interceptions in one batch: the rows go out through statements of several sizes (64, 16, 4, 1 rows in SQLite).
  run('a large batch of starts, ends and children is stored exactly, hostile texts included', async () => {
    const store = await make();
    const seed = makeSeed('b');
    const prompts: PromptUsageRecord[] = [];
    const tools: ToolUsageRecord[] = [];
    const starts = Array.from({ length: 150 }, (_, n) => ({ ...seed.starts[n % seed.starts.length]!, id: `big-${n}`, userAgent: HOSTILE[n % HOSTILE.length] }));
    for (const [n, start] of starts.entries()) {
      store.recordInterception(start);
      const prompt = { interceptionId: start.id, msgId: `m-${n}`, prompt: HOSTILE[(n + 3) % HOSTILE.length]!, createdAt: new Date(1_700_000_000_000 + n) };
      const tool = {
        interceptionId: start.id, msgId: `m-${n}`, tool: 'read_file', toolCallId: `c-${n}`, args: { path: HOSTILE[n % HOSTILE.length], n },
        injected: n % 2 === 0, createdAt: new Date(1_700_000_000_000 + n),
      };
      prompts.push(prompt);
      tools.push(tool);
      store.recordPromptUsage(prompt);
      store.recordToolUsage(tool);
      // Every third interception ends in a later batch: its start and its end are then two writes of one row.
      if (n % 3 !== 0) store.recordInterceptionEnded({ id: start.id, endedAt: new Date(1_700_000_001_000 + n), status: 'completed', httpStatus: 200, errorMessage: HOSTILE[n % HOSTILE.length] });
    }
    await store.flush?.();
    for (const [n, start] of starts.entries()) {
      if (n % 3 === 0) store.recordInterceptionEnded({ id: start.id, endedAt: new Date(1_700_000_001_000 + n), status: 'failed', httpStatus: 500 });
    }
    await store.flush?.();
    for (const [n, start] of starts.entries()) {
      const d = await store.interception(start.id);
      expect(d?.interception).toEqual(start);
      expect(d?.ended).toEqual(n % 3 === 0
        ? { id: start.id, endedAt: new Date(1_700_000_001_000 + n), status: 'failed', httpStatus: 500 }
        : { id: start.id, endedAt: new Date(1_700_000_001_000 + n), status: 'completed', httpStatus: 200, errorMessage: HOSTILE[n % HOSTILE.length] });
      expect(d?.prompts).toEqual([prompts[n]]);
      expect(d?.tools).toEqual([tools[n]]);
    }
    expect((await store.totals()).interceptions).toBe(150);
    await store.close?.();
  });

  run('an end queued before its start in one batch still makes one complete row', async () => {
    const store = await make();
    const [start, end] = [makeSeed('e').starts[0]!, makeSeed('e').ends[0]!];
    store.recordInterceptionEnded(end);
    store.recordInterception(start);
    await store.flush?.();
    const d = await store.interception(start.id);
    expect(d?.interception).toEqual(start);
    expect(d?.ended).toEqual(end);
    await store.close?.();
  });
});

requireService('PostgreSQL', pgAvailable())('PostgresRecorder prepared statement', () => {
  test('a connection that lost the prepared statement (a pooler, DEALLOCATE) still stores every batch', async () => {
    const pool = new Pool({ connectionString: PG_URL, max: 1 });
    const store = new PostgresRecorder({ pool, schema: freshSchema(), flushIntervalMs: 5, prices: TEST_PRICES, defaultPrices: false });
    await store.ready();
    const seed = makeSeed('d');
    store.recordInterception(seed.starts[0]!);
    await store.flush();
    // The client library still believes the statement is prepared on this connection; the server no longer has it.
    await pool.query('DEALLOCATE ALL');
    store.recordInterception(seed.starts[1]!);
    store.recordPromptUsage(seed.prompts[1]!);
    await store.flush();
    store.recordInterception(seed.starts[2]!);
    await store.flush();
    expect(store.stats()).toMatchObject({ written: 4, dropped: 0, flushFailures: 0 });
    expect((await store.interception(seed.starts[1]!.id))?.prompts).toEqual([seed.prompts[1]]);
    expect((await store.totals()).interceptions).toBe(3);
    await store.close();
    await pool.end();
  });
});
