/** SqliteRecorder keeps what it can: a bounded queue (bytes) while the file is locked or full, retry until space returns, a deleted file. */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import winston from 'winston';
import { SqlRecorder } from '../../lib/recorder/sql-recorder';
import { sqliteDriver, SqliteRecorder } from '../../lib/recorder/sqlite-recorder';
import { MemoryTransport } from '../helpers/gateway';
import { cleanupStores, tempDbFile } from '../helpers/stores';
import { makeSeed } from '../helpers/usage-seed';

afterAll(cleanupStores);
const seed = makeSeed('d');
const MiB = 1024 * 1024;

const until = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('while the file is locked, large prompts queue up to maxQueueBytes; the rest are dropped and counted', async () => {
  const filename = tempDbFile();
  const store = new SqliteRecorder({ filename, flushIntervalMs: 1, retryDelayMs: 5, maxRetryDelayMs: 20, maxQueueBytes: 8 * MiB, closeTimeoutMs: 100 });
  const lock = new Database(filename);
  lock.exec('BEGIN IMMEDIATE');
  try {
    const prompt = 'p'.repeat(512 * 1024);
    for (let i = 0; i < 100; i++) store.recordPromptUsage({ interceptionId: `i${i}`, msgId: '', prompt, createdAt: new Date() });
    await until(() => store.stats().retries >= 2);
    const stats = store.stats();
    expect(stats.queuedBytes).toBeLessThanOrEqual(8 * MiB);
    expect(stats.queued).toBeLessThan(17);
    expect(stats.dropped).toBe(100 - stats.queued);
  } finally {
    lock.exec('ROLLBACK');
    lock.close();
    await store.close();
  }
});

test('a full database keeps its records and retries; once there is room again everything is written', async () => {
  const filename = tempDbFile();
  await new SqliteRecorder({ filename }).close();
  // 2 MB of pages that the test frees later, as an operator would free disk space.
  const admin = new Database(filename);
  admin.exec('CREATE TABLE filler (b BLOB)');
  for (let i = 0; i < 64; i++) admin.prepare('INSERT INTO filler VALUES (?)').run(Buffer.alloc(32 * 1024));
  admin.pragma('wal_checkpoint(TRUNCATE)');
  const pages = Number(admin.pragma('page_count', { simple: true }));
  const logs = new MemoryTransport();
  const logger = winston.createLogger({ transports: [logs] });
  // The write connection may not grow the file: every insert meets "database or disk is full" (SQLITE_FULL).
  const store = new SqlRecorder('SqliteRecorder', { flushIntervalMs: 1, retryDelayMs: 5, maxRetryDelayMs: 50, logger, logIntervalMs: 60_000 },
    sqliteDriver({ filename }, { writerPragmas: [`max_page_count = ${pages + 1}`] }));
  try {
    store.recordInterception(seed.starts[0]!);
    for (let i = 0; i < 300; i++) store.recordPromptUsage({ interceptionId: seed.starts[0]!.id, msgId: `m${i}`, prompt: 'x'.repeat(2000), createdAt: new Date() });
    store.recordInterceptionEnded(seed.ends[0]!);
    await until(() => store.stats().retries >= 3 || store.stats().dropped > 0);
    expect(store.stats()).toMatchObject({ storageFull: true, dropped: 0, written: 0, queued: 302, lastError: expect.stringMatching(/full/) });
    const full = logs.lines.filter((l) => l.includes('storage is full'));
    expect(full).toHaveLength(1);
    admin.exec('DROP TABLE filler');
    await store.flush();
    expect(store.stats()).toMatchObject({ storageFull: false, dropped: 0, written: 302, queued: 0 });
    expect(store.stats().lastError).toBeUndefined();
    const detail = await store.interception(seed.starts[0]!.id);
    expect(detail!.prompts).toHaveLength(300);
    expect(detail!.ended).toEqual(seed.ends[0]);
  } finally {
    admin.close();
    await store.close();
  }
});

test('a database file deleted while open is created again at its path, with the schema; later records are in it', async () => {
  const filename = tempDbFile();
  const logs = new MemoryTransport();
  const logger = winston.createLogger({ transports: [logs] });
  const store = new SqliteRecorder({ filename, flushIntervalMs: 1, retryDelayMs: 5, logger });
  try {
    store.recordInterception(seed.starts[0]!);
    await store.flush();
    // What `rm aibridge.db` does: the WAL and shared-memory files stay, held by the open connections.
    fs.rmSync(filename);
    store.recordInterception(seed.starts[1]!);
    store.recordInterceptionEnded(seed.ends[1]!);
    await store.flush();
    expect(fs.existsSync(filename)).toBe(true);
    const db = new Database(filename, { readonly: true });
    try {
      expect(db.prepare('SELECT id, status FROM interceptions').all()).toEqual([{ id: seed.starts[1]!.id, status: seed.ends[1]!.status }]);
    } finally {
      db.close();
    }
    // Queries read the new file too.
    expect((await store.interception(seed.starts[1]!.id))?.ended).toEqual(seed.ends[1]);
    expect(store.stats()).toMatchObject({ dropped: 0, fileReopens: 1 });
    expect(logs.lines.filter((l) => l.includes('"level":"error"') && l.includes('deleted or replaced'))).toHaveLength(1);
  } finally {
    await store.close();
  }
});
