/** Schema version 3: the end's gateway and upstream times and error code, migrated from version 2 and read back; overhead percentiles in every store. */
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { MIGRATIONS } from '../../lib/recorder/schema';
import type { InterceptionEndedRecord, InterceptionRecord } from '../../lib/recorder/types';
import { requireService } from '../helpers/services';
import { cleanupStores, freshSchema, PG_URL, pgAvailable, postgresStore, sqliteStore, STORE_KINDS, tempDbFile, type TestStore } from '../helpers/stores';

afterAll(cleanupStores);

const T0 = 1_700_000_000_000;

function start(id: string, at: number, model = 'gpt-4o'): InterceptionRecord {
  return {
    id, initiatorId: 'alice', provider: 'openai', providerName: 'openai', route: '/v1/chat/completions', model,
    streaming: false, startedAt: new Date(at), credentialKind: 'centralized',
  };
}

function end(id: string, fields: Partial<InterceptionEndedRecord>): InterceptionEndedRecord {
  return { id, endedAt: new Date(T0 + 60_000), status: 'completed', httpStatus: 200, ...fields };
}

/** Version 1 and 2 as a release before this one made them, with one ended interception in it. */
function oldStatements(qualify: (name: string) => string, dialect: 'sqlite' | 'postgres'): string[] {
  return MIGRATIONS.filter((m) => m.version <= 2).flatMap((m) => m.statements(dialect, qualify));
}

async function expectMigratedStore(store: TestStore): Promise<void> {
  const old = await store.interception('old-1');
  expect(old?.ended).toEqual({ id: 'old-1', endedAt: new Date(T0 + 5), status: 'failed', httpStatus: 502, errorType: 'server_error' });
  store.recordInterception(start('new-1', T0 + 10));
  store.recordInterceptionEnded(end('new-1', { status: 'failed', httpStatus: 403, errorType: 'unauthorized', errorCode: 'forbidden', gatewayMs: 0.42, upstreamFirstByteMs: 35.25 }));
  await store.flush?.();
  expect((await store.interception('new-1'))?.ended).toEqual({
    id: 'new-1', endedAt: new Date(T0 + 60_000), status: 'failed', httpStatus: 403, errorType: 'unauthorized', errorCode: 'forbidden',
    gatewayMs: 0.42, upstreamFirstByteMs: 35.25,
  });
  // The old row has no times: it is left out of the percentiles rather than counted as zero.
  expect(await store.overhead!()).toEqual({ samples: 1, gatewayMs: { p50: 0.42, p90: 0.42, p99: 0.42 }, upstreamFirstByteMs: { p50: 35.25, p90: 35.25, p99: 35.25 } });
}

test('SqliteRecorder migrates a version 2 database to version 3: old rows kept without times, new ends carry them', async () => {
  const filename = tempDbFile();
  const db = new Database(filename);
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
  for (const sql of oldStatements((n) => n, 'sqlite')) db.exec(sql);
  db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (1, 0), (2, 0)').run();
  db.prepare(`INSERT INTO interceptions (id, initiator_id, provider, provider_name, route, model, streaming, started_at, credential_kind,
    ended_at, status, http_status, error_type) VALUES ('old-1', 'alice', 'openai', 'openai', '/v1/chat/completions', 'gpt-4o', 0, ?, 'centralized', ?, 'failed', 502, 'server_error')`)
    .run(T0, T0 + 5);
  db.close();

  const store = sqliteStore({ filename });
  await expectMigratedStore(store);
  await store.close();
  const check = new Database(filename, { readonly: true });
  expect(check.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }]);
  const columns = (check.prepare('PRAGMA table_info(interceptions)').all() as Array<{ name: string; type: string }>).filter((c) => ['gateway_ms', 'upstream_first_byte_ms', 'error_code'].includes(c.name));
  expect(columns.map((c) => [c.name, c.type])).toEqual([['gateway_ms', 'REAL'], ['upstream_first_byte_ms', 'REAL'], ['error_code', 'TEXT']]);
  check.close();
});

requireService('PostgreSQL', pgAvailable())('PostgresRecorder', () => {
  test('migrates a version 2 schema to version 3: old rows kept without times, new ends carry them', async () => {
    const schema = freshSchema();
    const admin = new Pool({ connectionString: PG_URL });
    const q = (name: string) => `"${schema}".${name}`;
    try {
      await admin.query(`CREATE SCHEMA "${schema}"`);
      await admin.query(`CREATE TABLE ${q('schema_migrations')} (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`);
      for (const sql of oldStatements(q, 'postgres')) await admin.query(sql);
      await admin.query(`INSERT INTO ${q('schema_migrations')} (version, applied_at) VALUES (1, 0), (2, 0)`);
      await admin.query(`INSERT INTO ${q('interceptions')} (id, initiator_id, provider, provider_name, route, model, streaming, started_at, credential_kind,
        ended_at, status, http_status, error_type) VALUES ('old-1', 'alice', 'openai', 'openai', '/v1/chat/completions', 'gpt-4o', 0, $1, 'centralized', $2, 'failed', 502, 'server_error')`, [T0, T0 + 5]);

      const store = postgresStore({ schema });
      await store.ready();
      await expectMigratedStore(store);
      await store.close();
      const { rows } = await admin.query(`SELECT version FROM ${q('schema_migrations')} ORDER BY version`);
      expect(rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }]);
      const { rows: cols } = await admin.query(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'interceptions'
          AND column_name IN ('gateway_ms', 'upstream_first_byte_ms', 'error_code') ORDER BY column_name`, [schema],
      );
      expect(cols).toEqual([
        { column_name: 'error_code', data_type: 'text' }, { column_name: 'gateway_ms', data_type: 'double precision' },
        { column_name: 'upstream_first_byte_ms', data_type: 'double precision' },
      ]);
    } finally {
      await admin.end();
    }
  });
});

describe.each(STORE_KINDS.filter((k) => k.name !== 'PostgresRecorder' || pgAvailable()))('$name overhead()', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await kind.make();
    // Gateway 1..100 ms, upstream 10x that (absent on every tenth: an answer the gateway gave itself); newest first is id 100.
    for (let i = 1; i <= 100; i++) {
      store.recordInterception(start(`i${i}`, T0 + i, i % 2 === 0 ? 'gpt-4o' : 'gpt-4o-mini'));
      store.recordInterceptionEnded(end(`i${i}`, i % 10 === 0 ? { gatewayMs: i } : { gatewayMs: i, upstreamFirstByteMs: i * 10 }));
    }
    // Started and not ended, or ended before times were recorded: no sample.
    store.recordInterception(start('open', T0 + 200));
    store.recordInterception(start('untimed', T0 + 201));
    store.recordInterceptionEnded(end('untimed', {}));
    await store.flush?.();
  });
  afterAll(() => store.close?.());

  test('p50/p90/p99 by nearest rank, upstream over the samples that called one', async () => {
    expect(await store.overhead!()).toEqual({
      samples: 100,
      gatewayMs: { p50: 50, p90: 90, p99: 99 },
      upstreamFirstByteMs: { p50: 490, p90: 890, p99: 990 },
    });
  });

  test('honours the filter and the range', async () => {
    const even = await store.overhead!({ filter: { model: 'gpt-4o' } });
    expect(even.samples).toBe(50);
    expect(even.gatewayMs).toEqual({ p50: 50, p90: 90, p99: 100 });
    const late = await store.overhead!({ range: { from: new Date(T0 + 91) } });
    expect(late.gatewayMs).toEqual({ p50: 95, p90: 99, p99: 100 });
    expect(await store.overhead!({ range: { to: new Date(T0) } })).toEqual({ samples: 0 });
  });
});
