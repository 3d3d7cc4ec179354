/** What only the SQL stores do: restarts, schema versions, replicas migrating together, outages and hangs of the database. */
import net from 'node:net';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { SqliteRecorder } from '../../lib/recorder/sqlite-recorder';
import { requireService } from '../helpers/services';
import { cleanupStores, freshSchema, PG_URL, pgAvailable, postgresStore, sqliteStore, tempDbFile } from '../helpers/stores';
import { makeSeed } from '../helpers/usage-seed';

afterAll(cleanupStores);
const seed = makeSeed('s');

describe('SqliteRecorder', () => {
  test('restart keeps data: close and reopen the same file', async () => {
    const filename = tempDbFile();
    const first = sqliteStore({ filename });
    first.recordInterception(seed.starts[0]!);
    first.recordInterceptionEnded(seed.ends[0]!);
    await first.close();
    const second = sqliteStore({ filename });
    expect((await second.interception(seed.starts[0]!.id))?.ended).toEqual(seed.ends[0]);
    expect((await second.totals()).interceptions).toBe(1);
    await second.close();
  });

  test('a newer schema version in the file is a clear error at construction', async () => {
    const filename = tempDbFile();
    await sqliteStore({ filename }).close();
    const db = new Database(filename);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)').run();
    db.close();
    expect(() => new SqliteRecorder({ filename })).toThrow(/schema is at version 99, newer than this express-aibridge knows \(5\)/);
  });

  test('uses WAL and records the migration once across opens', async () => {
    const filename = tempDbFile();
    await sqliteStore({ filename }).close();
    await sqliteStore({ filename }).close();
    const db = new Database(filename, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version FROM schema_migrations').all()).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }]);
    db.close();
  });

  test('a missing filename is an error naming the option', () => {
    expect(() => new SqliteRecorder({} as never)).toThrow(/SqliteRecorder: option `filename`/);
  });
});

/** A TCP proxy in front of PostgreSQL that the test stops, restarts, or makes hang. */
async function pgProxy() {
  const sockets = new Set<net.Socket>();
  let hang = false;
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (hang) return;
    const upstream = net.connect(5432, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const cut = () => { for (const s of sockets) s.destroy(); };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/test`,
    stop: () => new Promise<void>((r) => { cut(); server.close(() => r()); }),
    start: () => new Promise<void>((r) => server.listen(port, '127.0.0.1', r)),
    hang: () => { hang = true; cut(); },
    close: () => new Promise<void>((r) => { cut(); server.close(() => r()); }),
  };
}

requireService('PostgreSQL', pgAvailable())('PostgresRecorder', () => {
  const admin = new Pool({ connectionString: PG_URL });
  afterAll(() => admin.end());

  test('two replicas migrating a fresh schema at once both succeed; one migration row', async () => {
    const schema = freshSchema();
    const a = postgresStore({ schema });
    const b = postgresStore({ schema });
    await Promise.all([a.ready(), b.ready()]);
    a.recordInterception(seed.starts[0]!);
    b.recordInterception(seed.starts[1]!);
    await Promise.all([a.close(), b.close()]);
    const { rows } = await admin.query(`SELECT version FROM "${schema}".schema_migrations`);
    expect(rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }]);
    const { rows: n } = await admin.query(`SELECT COUNT(*)::int AS n FROM "${schema}".interceptions`);
    expect(n[0].n).toBe(2);
  });

  test('a newer schema version is a clear error from ready(), and records are not written', async () => {
    const schema = freshSchema();
    await postgresStore({ schema }).close();
    await admin.query(`INSERT INTO "${schema}".schema_migrations (version, applied_at) VALUES (7, 0)`);
    const store = postgresStore({ schema, closeTimeoutMs: 500 });
    await expect(store.ready()).rejects.toThrow(/schema is at version 7, newer than this express-aibridge knows \(5\)/);
    store.recordInterception(seed.starts[0]!);
    await store.close();
    expect(store.stats()).toMatchObject({ written: 0, dropped: 1 });
  });

  test('a database that is down then returns loses nothing within the queue bound', async () => {
    const proxy = await pgProxy();
    const store = postgresStore({ connectionString: proxy.url, retryDelayMs: 20, maxRetryDelayMs: 100 });
    try {
      await store.ready();
      await proxy.stop();
      for (const s of seed.starts) store.recordInterception(s);
      for (const t of seed.tokens) store.recordTokenUsage(t);
      const until = Date.now() + 5000;
      while (store.stats().retries < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(store.stats().retries).toBeGreaterThanOrEqual(2);
      expect(store.stats().queued).toBe(seed.starts.length + seed.tokens.length);
      await proxy.start();
      await store.flush();
      expect(store.stats()).toMatchObject({ dropped: 0, queued: 0, written: seed.starts.length + seed.tokens.length });
      expect((await store.totals()).input).toBe(seed.tokens.reduce((n, t) => n + t.input, 0));
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  test('a database that hangs never slows the caller; close() keeps its deadline', async () => {
    const proxy = await pgProxy();
    const store = postgresStore({ connectionString: proxy.url, flushTimeoutMs: 200, closeTimeoutMs: 500, retryDelayMs: 20, connectTimeoutMs: 300 });
    try {
      await store.ready();
      proxy.hang();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 20; i++) for (const s of seed.starts) store.recordInterception({ ...s, id: `${s.id}-${i}` });
      expect(Number(process.hrtime.bigint() - t0) / 1e6).toBeLessThan(250);
      await new Promise((r) => setTimeout(r, 400));
      const c0 = Date.now();
      await store.close();
      expect(Date.now() - c0).toBeLessThan(3000);
      expect(store.stats()).toMatchObject({ written: 0, dropped: 1200 });
    } finally {
      await proxy.close();
    }
  });

  test('a NUL in client text is stored (as U+FFFD) without failing its batch', async () => {
    const store = postgresStore();
    const start = { ...seed.starts[0]!, metadata: { note: 'a\u0000b' } };
    store.recordInterception(start);
    store.recordPromptUsage({ ...seed.prompts[0]!, prompt: 'x\u0000y' });
    await store.flush();
    const d = await store.interception(start.id);
    expect(d?.prompts[0]?.prompt).toBe('x\uFFFDy');
    expect(d?.interception.metadata).toEqual({ note: 'a\u0000b' });
    expect(store.stats()).toMatchObject({ written: 2, dropped: 0 });
    await store.close();
  });

  test('absurd token counts from an upstream (1e308, negative, fractional) neither fail their batch nor go negative', async () => {
    const store = postgresStore();
    const [hostile, bystander] = [seed.starts[0]!, seed.starts[1]!];
    store.recordInterception(hostile);
    store.recordInterception(bystander);
    store.recordTokenUsage({ interceptionId: hostile.id, msgId: 'm', input: -5, output: 1e308, cacheRead: 2.5, cacheWrite: 0, createdAt: new Date(0) });
    store.recordTokenUsage({ interceptionId: bystander.id, msgId: 'm', input: 10, output: 2, cacheRead: 0, cacheWrite: 0, createdAt: new Date(0) });
    await store.flush();
    expect(store.stats()).toMatchObject({ written: 4, dropped: 0 });
    expect((await store.interception(bystander.id))?.tokenUsages).toEqual([expect.objectContaining({ input: 10, output: 2 })]);
    const stored = (await store.interception(hostile.id))?.tokenUsages[0];
    expect(stored).toMatchObject({ input: 0, output: Number.MAX_SAFE_INTEGER, cacheRead: 3 });
    await store.close();
  });
});
