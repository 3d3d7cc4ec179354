/** A flush that committed but was reported failed is retried without writing its rows twice; old databases are migrated. */
import Database from 'better-sqlite3';
import { postgresDriver } from '../../lib/recorder/postgres-recorder';
import { MIGRATIONS } from '../../lib/recorder/schema';
import { SqlRecorder, type SqlDriver } from '../../lib/recorder/sql-recorder';
import { sqliteDriver, SqliteRecorder } from '../../lib/recorder/sqlite-recorder';
import { requireService } from '../helpers/services';
import { cleanupStores, freshSchema, PG_URL, pgAvailable, tempDbFile } from '../helpers/stores';
import { makeSeed } from '../helpers/usage-seed';

afterAll(cleanupStores);
const seed = makeSeed('k');
const id = seed.starts[0]!.id;
const OPTIONS = { flushIntervalMs: 5, retryDelayMs: 5 };

/** The database commits the first batch, but the store hears of it as a deadline that passed (the reply was lost). */
function commitThenTimeOut(driver: SqlDriver): SqlDriver {
  let first = true;
  return {
    ...driver,
    sink: {
      isTransient: driver.sink.isTransient,
      write: async (batch, signal) => {
        await driver.sink.write(batch, signal);
        if (first) {
          first = false;
          throw Object.assign(new Error('flush took longer than 10000 ms'), { code: 'FLUSH_TIMEOUT' });
        }
      },
    },
  };
}

function feedOne(store: SqlRecorder): void {
  store.recordInterception(seed.starts[0]!);
  store.recordTokenUsage({ ...seed.tokens.find((t) => t.interceptionId === id)!, interceptionId: id });
  store.recordPromptUsage({ interceptionId: id, msgId: 'm', prompt: 'hello', createdAt: new Date() });
  store.recordToolUsage({ interceptionId: id, msgId: 'm', tool: 't', toolCallId: 'c1', args: { a: 1 }, injected: true, createdAt: new Date() });
  store.recordModelThought({ interceptionId: id, msgId: 'm', content: 'hmm', source: 'thinking', createdAt: new Date() });
  store.recordInterceptionEnded(seed.ends[0]!);
}

async function expectEachRowOnce(store: SqlRecorder): Promise<void> {
  await store.flush();
  expect(store.stats()).toMatchObject({ retries: 1, dropped: 0 });
  const detail = await store.interception(id);
  expect(detail!.tokenUsages).toHaveLength(1);
  expect(detail!.prompts).toHaveLength(1);
  expect(detail!.tools).toHaveLength(1);
  expect(detail!.thoughts).toHaveLength(1);
}

test('SqliteRecorder: a batch written twice stores each row once', async () => {
  const store = new SqlRecorder('SqliteRecorder', OPTIONS, commitThenTimeOut(sqliteDriver({ filename: tempDbFile() })));
  feedOne(store);
  await expectEachRowOnce(store);
  await store.close();
});

test('SqliteRecorder migrates a database made by schema version 1: old rows kept, new writes idempotent', async () => {
  const filename = tempDbFile();
  const db = new Database(filename);
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
  for (const sql of MIGRATIONS.find((m) => m.version === 1)!.statements('sqlite', (n) => n)) db.exec(sql);
  db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (1, 0)').run();
  db.prepare('INSERT INTO interceptions (id, initiator_id, provider, provider_name, route, model, streaming, started_at, credential_kind) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)')
    .run('old-1', 'alice', 'openai', 'openai', '/v1/chat/completions', 'gpt-4o', 1_700_000_000_000, 'centralized');
  db.prepare('INSERT INTO prompts (interception_id, msg_id, prompt, created_at) VALUES (?, ?, ?, ?)').run('old-1', '', 'from v1', 1_700_000_000_001);
  db.close();

  const store = new SqlRecorder('SqliteRecorder', OPTIONS, commitThenTimeOut(sqliteDriver({ filename })));
  expect((await store.interception('old-1'))!.prompts.map((p) => p.prompt)).toEqual(['from v1']);
  feedOne(store);
  await expectEachRowOnce(store);
  await store.close();
  const check = new Database(filename, { readonly: true });
  expect(check.prepare('SELECT version FROM schema_migrations ORDER BY version').all().map((r) => (r as { version: number }).version)).toEqual(MIGRATIONS.map((m) => m.version));
  check.close();
  // And it opens again as a current database.
  await new SqliteRecorder({ filename }).close();
});

requireService('PostgreSQL', pgAvailable())('PostgresRecorder', () => {
  test('a batch written twice stores each row once', async () => {
    const store = new SqlRecorder('PostgresRecorder', OPTIONS, commitThenTimeOut(postgresDriver({ connectionString: PG_URL, schema: freshSchema() })));
    feedOne(store);
    await expectEachRowOnce(store);
    await store.close();
  });
});
