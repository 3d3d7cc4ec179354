/** SqliteRecorder's write thread: writes beside the event loop, flush-then-query, recovery from a crashed thread, close. */
import Database from 'better-sqlite3';
import { cleanupStores, sqliteStore, tempDbFile } from '../helpers/stores';
import { makeSeed } from '../helpers/usage-seed';

afterAll(cleanupStores);
const seed = makeSeed('w');
const workerThreads = require('node:worker_threads') as typeof import('node:worker_threads');
const RealWorker = workerThreads.Worker;

/** Collects the threads the store starts (the store keeps them private). */
function watchThreads(): { threads: import('node:worker_threads').Worker[]; restore(): void } {
  const threads: import('node:worker_threads').Worker[] = [];
  const spy = jest.spyOn(workerThreads, 'Worker').mockImplementation((...args: ConstructorParameters<typeof RealWorker>) => {
    const w = new RealWorker(...args);
    threads.push(w);
    return w;
  });
  return { threads, restore: () => spy.mockRestore() };
}

const exited = (w: import('node:worker_threads').Worker): Promise<number> => new Promise((r) => w.once('exit', r));

/** The longest gap between 10 ms ticks while `work` runs: how long the event loop was blocked. */
async function longestStall(work: () => Promise<void>): Promise<number> {
  let last = Date.now();
  let longest = 0;
  const tick = setInterval(() => {
    const now = Date.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 10);
  try {
    await work();
  } finally {
    clearInterval(tick);
  }
  return Math.max(longest, Date.now() - last);
}

test('a write waiting for a lock held by another process does not block the event loop', async () => {
  const filename = tempDbFile();
  const store = sqliteStore({ filename, busyTimeoutMs: 1500 });
  const other = new Database(filename);
  try {
    other.exec('BEGIN IMMEDIATE');
    const release = setTimeout(() => other.exec('COMMIT'), 600);
    const stall = await longestStall(async () => {
      for (const s of seed.starts) store.recordInterception(s);
      await store.flush();
    });
    clearTimeout(release);
    expect(stall).toBeLessThan(400);
    expect((await store.totals()).interceptions).toBe(seed.starts.length);
    expect(store.stats()).toMatchObject({ written: seed.starts.length, dropped: 0 });
  } finally {
    if (other.inTransaction) other.exec('COMMIT');
    other.close();
    await store.close();
  }
});

test('after flush() resolves a query sees every record, across many batches', async () => {
  const store = sqliteStore({ batchSize: 7 });
  for (const s of seed.starts) store.recordInterception(s);
  for (const e of seed.ends) store.recordInterceptionEnded(e);
  for (const t of seed.tokens) store.recordTokenUsage(t);
  await store.flush();
  const totals = await store.totals();
  expect(totals.interceptions).toBe(seed.starts.length);
  expect(totals.input).toBe(seed.tokens.reduce((n, t) => n + t.input, 0));
  expect((await store.interception(seed.ends[0]!.id))?.ended).toEqual(seed.ends[0]);
  await store.close();
});

test('a write thread that dies is replaced, and nothing is lost', async () => {
  const watch = watchThreads();
  const store = sqliteStore({ retryDelayMs: 10 });
  try {
    store.recordInterception(seed.starts[0]!);
    await store.flush();
    expect(watch.threads).toHaveLength(1);
    // Killed while idle, then killed with a batch in flight: both batches are written by a new thread.
    await watch.threads[0]!.terminate();
    store.recordInterception(seed.starts[1]!);
    await store.flush();
    expect(watch.threads).toHaveLength(2);
    store.recordInterception(seed.starts[2]!);
    const flushed = store.flush();
    void watch.threads[1]!.terminate();
    await flushed;
    expect(watch.threads.length).toBeGreaterThanOrEqual(2);
    expect((await store.totals()).interceptions).toBe(3);
    expect(store.stats()).toMatchObject({ written: 3, dropped: 0, queued: 0 });
  } finally {
    watch.restore();
    await store.close();
  }
});

test('close() stops the write thread, and a thread stuck on a lock is terminated within the deadline', async () => {
  const watch = watchThreads();
  const filename = tempDbFile();
  const idle = sqliteStore({ filename });
  idle.recordInterception(seed.starts[0]!);
  await idle.flush();
  const idleExit = exited(watch.threads[0]!);
  await idle.close();
  expect(await idleExit).toBeDefined();

  const stuck = sqliteStore({ filename, busyTimeoutMs: 5000, closeTimeoutMs: 200 });
  const other = new Database(filename);
  try {
    other.exec('BEGIN IMMEDIATE');
    stuck.recordInterception(seed.starts[1]!);
    await new Promise((r) => setTimeout(r, 100));
    const thread = watch.threads[1]!;
    const stuckExit = exited(thread);
    const t0 = Date.now();
    await stuck.close();
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(stuck.stats()).toMatchObject({ written: 0, dropped: 1 });
    other.exec('COMMIT');
    expect(await stuckExit).toBeDefined();
  } finally {
    watch.restore();
    if (other.inTransaction) other.exec('COMMIT');
    other.close();
  }
  const db = new Database(filename, { readonly: true });
  expect(db.prepare('SELECT id FROM interceptions').all()).toEqual([{ id: seed.starts[0]!.id }]);
  db.close();
});

test(':memory: records and queries on one connection', async () => {
  const store = sqliteStore({ filename: ':memory:' });
  for (const s of seed.starts) store.recordInterception(s);
  await store.flush();
  expect((await store.totals()).interceptions).toBe(seed.starts.length);
  await store.close();
});
