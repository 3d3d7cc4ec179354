/** The SQLite write connection on a worker thread: batches go in as row groups, one transaction each, the answer comes back. */
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import type { FlatGroup, RowKind } from './row-groups';
import { FILE_GONE } from './sqlite-file';

export type { FlatGroup } from './row-groups';

/** The multi-row INSERT of each row kind for each row count it is prepared for, largest count first. */
export type StatementTexts = Record<RowKind, Array<[rows: number, sql: string]>>;

/**
 * Writes groups in one transaction with statements prepared once per connection: each group goes out in as few
 * multi-row INSERTs as its prepared sizes allow. Source text, so that the write thread and an in-memory database on
 * the main thread run the same code (see THREAD_CODE on why the thread's code is text).
 */
const WRITE_CODE = `(db, texts) => {
  const statements = {};
  for (const kind of Object.keys(texts)) statements[kind] = texts[kind].map(([rows, sql]) => [rows, db.prepare(sql)]);
  return db.transaction((groups) => {
    for (const g of groups) {
      const count = g.values.length / g.width;
      let row = 0;
      for (const [rows, statement] of statements[g.kind]) {
        for (; count - row >= rows; row += rows) {
          statement.run(rows === count ? g.values : g.values.slice(row * g.width, (row + rows) * g.width));
        }
      }
    }
  });
}`;

/** The same writer as the thread's, on a connection of the caller's (an in-memory database cannot be shared with a thread). */
export function groupsTransaction(db: BetterSqlite3.Database, texts: StatementTexts): BetterSqlite3.Transaction<(groups: FlatGroup[]) => void> {
  const make = new Function(`return ${WRITE_CODE}`)() as (db: BetterSqlite3.Database, texts: StatementTexts) => BetterSqlite3.Transaction<(groups: FlatGroup[]) => void>;
  return make(db, texts);
}

/** What the write thread needs to open its connection and prepare its statements. */
export interface SqliteWriterConfig {
  /** Absolute path of the better-sqlite3 entry the host resolved, so the thread loads the same copy. */
  driver: string;
  filename: string;
  busyTimeoutMs: number;
  /** The multi-row INSERTs/upserts of each row kind, prepared once when the thread starts. */
  statements: StatementTexts;
  /** Extra pragmas for the write connection (tests use `max_page_count` to make the database full). Defaults to none. */
  pragmas?: string[];
}

/** The code of a write thread that stopped (crashed, was terminated): the batch is retried on a new thread. */
export const WRITER_EXITED = 'SQLITE_WRITER_EXITED';

/**
 * The thread's code, kept as a self-contained string and started with `eval: true`: the same code then runs from the
 * compiled `dist/` and under ts-jest (which cannot hand a `.ts` file to `new Worker`), with no build step copying a
 * `.js` file and no path to resolve at run time. It needs only worker_threads and the driver (an absolute path: an
 * eval thread would resolve a bare name against the process's working directory). Same pragmas as the reader.
 */
const THREAD_CODE = `'use strict';
const fs = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
// Never create the file: only the main thread does, with the schema (a missing file fails the batch, which is retried).
const db = new Database(workerData.filename, { timeout: workerData.busyTimeoutMs, fileMustExist: true });
const opened = fs.statSync(workerData.filename);
// A file deleted (or replaced) while open would take every later batch with it, silently: check before each one.
const moved = () => {
  const now = fs.statSync(workerData.filename, { throwIfNoEntry: false });
  return !now || now.ino !== opened.ino || now.dev !== opened.dev;
};
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
for (const pragma of workerData.pragmas || []) db.pragma(pragma);
const write = (${WRITE_CODE})(db, workerData.statements);
parentPort.on('message', (groups) => {
  if (groups === 'close') {
    try { db.close(); } finally { parentPort.postMessage(null); parentPort.close(); }
    return;
  }
  if (moved()) {
    try { db.close(); } finally {
      parentPort.postMessage({ message: 'the SQLite database file was deleted or replaced while open', code: '${FILE_GONE}' });
      parentPort.close();
    }
    return;
  }
  try {
    write.immediate(groups);
    parentPort.postMessage(null);
  } catch (err) {
    parentPort.postMessage({ message: String(err && err.message), code: err && typeof err.code === 'string' ? err.code : undefined });
  }
});
`;

interface Pending {
  resolve(): void;
  reject(err: Error): void;
}

/** One running thread; replies come in the order batches were posted, so a FIFO pairs them. */
interface Thread {
  worker: Worker;
  pending: Pending[];
  exited: boolean;
}

/** Waits for `p`, or `ms` at most. */
async function within(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([p, new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

function exitedError(detail: string): Error {
  return Object.assign(new Error(`SQLite write thread stopped (${detail}); the batch will be retried`), { code: WRITER_EXITED });
}

/**
 * Owns the write thread: starts it on the first batch, starts a new one after a crash (the failed batch is rejected
 * with {@link WRITER_EXITED}, a transient error, so the batching writer retries it), and stops it on close.
 * The thread keeps the process alive only while a batch is in flight, like the synchronous write it replaces.
 */
export class SqliteWriter {
  private thread: Thread | undefined;
  private closed = false;

  constructor(private readonly config: SqliteWriterConfig) {}

  /** Writes the groups in one immediate transaction; rejects with the SQLite error (and its `code`) on failure. */
  write(groups: FlatGroup[]): Promise<void> {
    if (this.closed) return Promise.reject(exitedError('the recorder is closed'));
    const thread = this.thread ?? this.start();
    return new Promise<void>((resolve, reject) => {
      if (thread.pending.length === 0) thread.worker.ref();
      thread.pending.push({ resolve, reject });
      thread.worker.postMessage(groups);
    });
  }

  /**
   * Lets an idle thread close its connection (waits at most `graceMs`), then terminates it in every case. A thread
   * still busy with a batch (one the writer gave up on) is terminated at once: SQLite rolls that transaction back.
   */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    const thread = this.thread;
    this.thread = undefined;
    if (!thread || thread.exited) return;
    if (thread.pending.length === 0) {
      const acked = new Promise<void>((resolve) => {
        thread.pending.push({ resolve, reject: () => resolve() });
        thread.worker.ref();
        thread.worker.postMessage('close');
      });
      await within(acked, graceMs);
    }
    this.fail(thread, exitedError('the recorder closed'));
    // A thread stuck in a native call (a busy wait) stops only when that call returns; it must not keep the
    // process alive meanwhile.
    thread.worker.unref();
    await within(thread.worker.terminate().then(() => undefined, () => undefined), graceMs);
  }

  private start(): Thread {
    const worker = new Worker(THREAD_CODE, { eval: true, workerData: this.config });
    const thread: Thread = { worker, pending: [], exited: false };
    worker.unref();
    worker.on('message', (reply: { message: string; code?: string } | null) => {
      const next = thread.pending.shift();
      if (thread.pending.length === 0) worker.unref();
      if (!next) return;
      if (reply === null) next.resolve();
      else {
        // That thread has closed its connection and is stopping: the retry must get a new one.
        if (reply.code === FILE_GONE) this.fail(thread, exitedError('its database file is gone'));
        next.reject(Object.assign(new Error(reply.message), { code: reply.code }));
      }
    });
    // An error thrown while opening (e.g. SQLITE_BUSY on the WAL pragma) keeps its code, so the writer can judge it.
    worker.on('error', (err) => this.fail(thread, err));
    worker.on('exit', (code) => this.fail(thread, exitedError(`exit code ${code}`)));
    this.thread = thread;
    return thread;
  }

  private fail(thread: Thread, err: Error): void {
    thread.exited = true;
    if (this.thread === thread) this.thread = undefined;
    for (const p of thread.pending.splice(0)) p.reject(err);
  }
}
