/** SqliteRecorder: usage in one SQLite file (better-sqlite3, WAL), written in batches, queryable; the embedded default. */
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { columnsOfRow, conflictOf, groupBatch, ROW_KINDS, tableOf, type RowKind } from './row-groups';
import type { QueuedRecord, SqlValue } from './rows';
import type { BatchSink } from './batch-writer';
import { isStorageFullError, isTransientStoreError, SqlRecorder, type SqlDriver, type SqlRecorderOptions } from './sql-recorder';
import type { SqlRow } from './sql-query';
import { FILE_GONE, SqliteFile } from './sqlite-file';
import { checkSqliteOptions } from './store-options';
import { groupsTransaction, SqliteWriter, WRITER_EXITED, type StatementTexts } from './sqlite-writer';

/** Options of {@link SqliteRecorder}. */
export interface SqliteRecorderOptions extends SqlRecorderOptions {
  /** The database file, created when missing (`:memory:` for a private in-memory database). Required. */
  filename: string;
  /**
   * How long SQLite waits for a lock held by another process before the flush fails with `SQLITE_BUSY` and is
   * retried by the writer. Writes wait on their own thread; a query waits (rarely: WAL readers do not wait for the
   * writer) on the main thread, synchronously, blocking the event loop, so keep it short. Defaults to 0.
   */
  busyTimeoutMs?: number;
}

const OWNER = 'SqliteRecorder';
const MAX_CACHED_STATEMENTS = 200;
/**
 * The row counts each kind's INSERT is prepared for: a group goes out in as few statements as these allow (at most
 * 3 of each smaller size), and 64 rows of the widest kind stay far below SQLite's 32,766 parameters.
 */
const PREPARED_ROWS = [64, 16, 4, 1];

function insertOf(kind: RowKind, rows: number): string {
  const cols = columnsOfRow(kind);
  const tuple = `(${cols.map(() => '?').join(', ')})`;
  return `INSERT INTO ${tableOf(kind)} (${cols.join(', ')}) VALUES ${Array<string>(rows).fill(tuple).join(', ')} ${conflictOf(kind)}`;
}

/** The statements of each row kind, the same on the write thread and on an in-memory connection. */
const STATEMENTS = Object.fromEntries(ROW_KINDS.map((kind) => [kind, PREPARED_ROWS.map((rows) => [rows, insertOf(kind, rows)])])) as StatementTexts;

/** How long close() waits for the write thread to close its connection, and then to stop, after the final flush. */
const THREAD_CLOSE_GRACE_MS = 1_000;

/**
 * Sends batches to the write thread; a thread that stopped mid-batch is a transient failure (a new one retries it).
 * A failed batch whose file is gone has the file created again, and is retried in it.
 */
function threadSink(writer: SqliteWriter, file: SqliteFile): BatchSink<QueuedRecord> {
  const retried = new Set([WRITER_EXITED, FILE_GONE]);
  return {
    write: async (batch) => {
      try {
        await writer.write(groupBatch(batch));
      } catch (err) {
        if (file.reopenIfGone()) throw Object.assign(new Error(`${(err as Error).message}; created it again`), { code: FILE_GONE });
        throw err;
      }
    },
    isTransient: (err) => isTransientStoreError(err) || retried.has((err as { code?: string } | null)?.code ?? ''),
    isStorageFull: isStorageFullError,
  };
}

/**
 * Writes on the connection itself. Only for `:memory:`: a private in-memory database exists on one connection
 * only, so a write thread would fill a database the queries never see.
 */
function inlineSink(db: BetterSqlite3.Database): BatchSink<QueuedRecord> {
  const writeBatch = groupsTransaction(db, STATEMENTS);
  return {
    write: async (batch) => {
      writeBatch.immediate(groupBatch(batch));
    },
    isTransient: isTransientStoreError,
    isStorageFull: isStorageFullError,
  };
}

/** Opens the database and its writer: what the store records through (exported for tests that wrap its sink). */
export function sqliteDriver(options: SqliteRecorderOptions, internals: { writerPragmas?: string[] } = {}): SqlDriver {
  checkSqliteOptions(options);
  const busy = options.busyTimeoutMs ?? 0;
  const file = new SqliteFile(options.filename, busy, options.logger);
  // WAL lets this connection read beside the thread's writes, and each query sees every batch committed before it.
  // The absolute path: the thread opens the same file even if the process changes directory before the first flush.
  const writer = options.filename === ':memory:'
    ? undefined
    : new SqliteWriter({ driver: require.resolve('better-sqlite3'), filename: path.resolve(options.filename), busyTimeoutMs: busy, statements: STATEMENTS, pragmas: internals.writerPragmas });
  const cache = new Map<string, BetterSqlite3.Statement>();
  let cachedFor = file.db;
  const prepared = (sql: string): BetterSqlite3.Statement => {
    // Statements belong to a connection: a reopened file needs new ones.
    if (cachedFor !== file.db) {
      cache.clear();
      cachedFor = file.db;
    }
    let s = cache.get(sql);
    if (!s) {
      if (cache.size >= MAX_CACHED_STATEMENTS) cache.clear();
      s = file.db.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
  return {
    sink: writer ? threadSink(writer, file) : inlineSink(file.db),
    reader: {
      dialect: 'sqlite',
      table: (name) => name,
      all: async (sql: string, params: SqlValue[]) => prepared(sql).all(params) as SqlRow[],
    },
    stats: () => ({ fileReopens: file.reopens }),
    close: async () => {
      try {
        await writer?.close(THREAD_CLOSE_GRACE_MS);
      } finally {
        file.close();
      }
    },
  };
}

/**
 * Records into a SQLite file through the batching writer (one transaction per flush, off the request path) and
 * answers {@link UsageQuery}. The writes run on a worker thread with its own connection, so they use the second core
 * instead of the event loop; queries read on the main thread. Tables are created or migrated at construction; a
 * database written by a newer release throws. `close()` flushes within `closeTimeoutMs`, then gives the thread up
 * to 1 s to close its connection and stop before terminating it. `:memory:` writes on the main thread (an
 * in-memory database cannot be shared with a thread). Needs the optional dependency `better-sqlite3` (12.x).
 */
export class SqliteRecorder extends SqlRecorder {
  constructor(options: SqliteRecorderOptions) {
    super(OWNER, options, sqliteDriver(options));
  }
}
