/** The batching writer against fake sinks: outages, hangs, rejections, bounds, close deadline, logging. */
import winston from 'winston';
import { BatchWriter, type BatchSink } from '../../lib/recorder/batch-writer';
import { isStorageFullError, isTransientStoreError } from '../../lib/recorder/sql-recorder';
import { MemoryTransport } from '../helpers/gateway';

/** A sink whose behaviour the test switches: ok, down (ECONNREFUSED), hang, or reject for good. */
function fakeSink() {
  const sink = {
    mode: 'ok' as 'ok' | 'down' | 'hang' | 'bad',
    written: [] as number[],
    calls: 0,
    async write(batch: number[], signal: AbortSignal): Promise<void> {
      sink.calls++;
      if (sink.mode === 'down') throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      if (sink.mode === 'bad') throw Object.assign(new Error('syntax error'), { code: '42601' });
      if (sink.mode === 'hang') await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      if (signal.aborted) throw new Error('aborted');
      sink.written.push(...batch);
    },
    isTransient: isTransientStoreError,
  };
  return sink satisfies BatchSink<number>;
}

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

test('batches on the timer and by size, in order', async () => {
  const sink = fakeSink();
  const w = new BatchWriter(sink, 'test', { batchSize: 10, flushIntervalMs: 30 });
  for (let i = 0; i < 25; i++) w.push(i);
  await until(() => sink.written.length === 25);
  expect(sink.written).toEqual(Array.from({ length: 25 }, (_, i) => i));
  expect(w.stats()).toEqual({ queued: 0, queuedBytes: 0, written: 25, dropped: 0, retries: 0, flushFailures: 0, storageFull: false });
  await w.close();
});

test('a store that is down and returns loses nothing within the queue bound', async () => {
  const sink = fakeSink();
  sink.mode = 'down';
  const w = new BatchWriter(sink, 'test', { batchSize: 50, flushIntervalMs: 1, retryDelayMs: 5, maxRetryDelayMs: 20, maxQueue: 1000 });
  for (let i = 0; i < 400; i++) w.push(i);
  await until(() => w.stats().retries >= 3);
  for (let i = 400; i < 1000; i++) w.push(i);
  sink.mode = 'ok';
  await w.flush();
  expect(sink.written).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  expect(w.stats()).toMatchObject({ queued: 0, written: 1000, dropped: 0 });
  expect(w.stats().flushFailures).toBe(w.stats().retries);
  await w.close();
});

test('beyond the queue bound records are dropped, counted and logged once per interval', async () => {
  const sink = fakeSink();
  sink.mode = 'down';
  const logs = new MemoryTransport();
  const logger = winston.createLogger({ transports: [logs] });
  const w = new BatchWriter(sink, 'test', { maxQueue: 100, retryDelayMs: 1000, logIntervalMs: 60_000, logger, closeTimeoutMs: 50 });
  for (let i = 0; i < 150; i++) w.push(i);
  expect(w.stats()).toMatchObject({ queued: 100, dropped: 50 });
  expect(logs.lines.filter((l) => l.includes('dropped'))).toHaveLength(1);
  await w.close();
  expect(w.stats()).toMatchObject({ queued: 0, dropped: 150, written: 0 });
});

test('a store that hangs never blocks the caller, and close() keeps its deadline', async () => {
  const sink = fakeSink();
  sink.mode = 'hang';
  const w = new BatchWriter(sink, 'test', { flushIntervalMs: 1, flushTimeoutMs: 100, retryDelayMs: 10, closeTimeoutMs: 300 });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 5000; i++) w.push(i);
  const pushMs = Number(process.hrtime.bigint() - t0) / 1e6;
  expect(pushMs).toBeLessThan(500);
  await until(() => w.stats().retries >= 1);
  const c0 = Date.now();
  await w.close();
  expect(Date.now() - c0).toBeLessThan(2000);
  expect(w.stats()).toMatchObject({ written: 0, dropped: 5000, queued: 0 });
});

test('a batch the store rejects for good is dropped, not retried forever', async () => {
  const sink = fakeSink();
  sink.mode = 'bad';
  const w = new BatchWriter(sink, 'test', { batchSize: 5, flushIntervalMs: 1 });
  for (let i = 0; i < 5; i++) w.push(i);
  await until(() => w.stats().dropped === 5);
  sink.mode = 'ok';
  w.push(99);
  await w.flush();
  expect(sink.written).toEqual([99]);
  expect(w.stats()).toMatchObject({ retries: 0, flushFailures: 1, dropped: 5, written: 1 });
  await w.close();
});

test('close() flushes what is pending, then drops later pushes', async () => {
  const sink = fakeSink();
  const w = new BatchWriter(sink, 'test', { flushIntervalMs: 60_000 });
  for (let i = 0; i < 10; i++) w.push(i);
  await w.close();
  expect(sink.written).toHaveLength(10);
  w.push(11);
  expect(w.stats()).toMatchObject({ written: 10, dropped: 1 });
});

test('options are checked at creation', () => {
  expect(() => new BatchWriter(fakeSink(), 'SqliteRecorder', { maxQueue: 0 })).toThrow('SqliteRecorder: option `maxQueue` must be a positive integer.');
  expect(() => new BatchWriter(fakeSink(), 'X', { flushIntervalMs: -1 })).toThrow(/flushIntervalMs/);
});

test('transient errors are the ones worth retrying', () => {
  for (const code of ['ECONNREFUSED', 'ECONNRESET', '40001', '40P01', '57P01', 'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED']) {
    expect([code, isTransientStoreError(Object.assign(new Error('x'), { code }))]).toEqual([code, true]);
  }
  expect(isTransientStoreError(new Error('Connection terminated unexpectedly'))).toBe(true);
  expect(isTransientStoreError(Object.assign(new Error('x'), { code: '23505' }))).toBe(false);
  expect(isTransientStoreError(undefined)).toBe(false);
});

test('a full disk is transient (kept and retried) and says so; other I/O errors are retried without claiming the disk is full', () => {
  const err = (code: string) => Object.assign(new Error('x'), { code });
  for (const code of ['SQLITE_FULL', '53100']) expect([code, isTransientStoreError(err(code)), isStorageFullError(err(code))]).toEqual([code, true, true]);
  for (const code of ['SQLITE_IOERR', 'SQLITE_IOERR_WRITE', '53200']) expect([code, isTransientStoreError(err(code)), isStorageFullError(err(code))]).toEqual([code, true, false]);
  expect(isStorageFullError(err('SQLITE_BUSY'))).toBe(false);
});

test('the queue is bounded in bytes too: past maxQueueBytes records are dropped and counted, and bytes come back when written', async () => {
  const sink = fakeSink();
  sink.mode = 'down';
  const logs = new MemoryTransport();
  const logger = winston.createLogger({ transports: [logs] });
  // Each record weighs its own value in bytes.
  const w = new BatchWriter(sink, 'test', { maxQueueBytes: 1000, retryDelayMs: 5, logIntervalMs: 60_000, logger, closeTimeoutMs: 50 }, (n: number) => n);
  for (let i = 0; i < 10; i++) w.push(300);
  expect(w.stats()).toMatchObject({ queued: 3, queuedBytes: 900, dropped: 7 });
  expect(logs.lines.filter((l) => l.includes('dropped'))).toHaveLength(1);
  sink.mode = 'ok';
  await w.flush();
  expect(w.stats()).toMatchObject({ queued: 0, queuedBytes: 0, written: 3 });
  w.push(999);
  await w.flush();
  expect(w.stats()).toMatchObject({ written: 4, dropped: 7 });
  await w.close();
});
