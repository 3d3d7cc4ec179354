/** SqliteRecorder: usage in one SQLite file (better-sqlite3, WAL), written in batches, queryable; the embedded default. */
import type BetterSqlite3 from 'better-sqlite3';
import { columnsOf, migrationsTableDDL, MIGRATIONS, newerSchemaError, SCHEMA_VERSION } from './schema';
import { END_COLUMNS, rowOf, START_COLUMNS, TABLE_OF, type QueuedRecord, type RecordKind, type SqlValue } from './rows';
import { isTransientStoreError, SqlRecorder, type SqlDriver, type SqlRecorderOptions } from './sql-recorder';
import type { SqlRow } from './sql-query';

/** Options of {@link SqliteRecorder}. */
export interface SqliteRecorderOptions extends SqlRecorderOptions {
  /** The database file, created when missing (`:memory:` for a private in-memory database). Required. */
  filename: string;
  /**
   * How long SQLite waits for a lock held by another process before the flush fails with `SQLITE_BUSY` and is
   * retried by the writer. better-sqlite3 waits synchronously, blocking the event loop, so keep it short. Defaults to 0.
   */
  busyTimeoutMs?: number;
}

const OWNER = 'SqliteRecorder';
const MAX_CACHED_STATEMENTS = 200;

function loadDriver(): typeof BetterSqlite3 {
  try {
    // Optional dependency, loaded only when this store is used.
    return require('better-sqlite3') as typeof BetterSqlite3;
  } catch (err) {
    const missing = (err as { code?: string }).code === 'MODULE_NOT_FOUND';
    throw new Error(missing
      ? `${OWNER} needs the optional dependency better-sqlite3: npm install better-sqlite3@12.11.1`
      : `${OWNER}: better-sqlite3 failed to load (${(err as Error).message})`);
  }
}

/** Creates the tables, or brings them up to date, in one immediate transaction; a newer schema is an error. */
function migrate(db: BetterSqlite3.Database): void {
  const q = (name: string) => name;
  db.transaction(() => {
    db.exec(migrationsTableDDL(q));
    const found = Number((db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0);
    if (found > SCHEMA_VERSION) throw newerSchemaError(OWNER, found);
    for (const m of MIGRATIONS) {
      if (m.version <= found) continue;
      for (const sql of m.statements('sqlite', q)) db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, Date.now());
    }
  }).immediate();
}

function upsert(columns: string[]): string {
  const set = columns.slice(1).map((c) => `${c} = excluded.${c}`).join(', ');
  return `INSERT INTO interceptions (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT(id) DO UPDATE SET ${set}`;
}

function insert(table: string, ignoreConflicts: boolean): string {
  const cols = columnsOf(table);
  return `INSERT ${ignoreConflicts ? 'OR IGNORE ' : ''}INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
}

function openSqlite(options: SqliteRecorderOptions): SqlDriver {
  if (!options || typeof options.filename !== 'string' || options.filename === '') {
    throw new TypeError(`${OWNER}: filename must be a non-empty string (a file path, or ":memory:")`);
  }
  const busy = options.busyTimeoutMs ?? 0;
  if (!Number.isInteger(busy) || busy < 0) throw new TypeError(`${OWNER}: busyTimeoutMs must be a non-negative integer`);
  const Database = loadDriver();
  const db = new Database(options.filename, { timeout: busy });
  try {
    db.pragma('journal_mode = WAL');
    // WAL with synchronous=NORMAL survives a process crash; only an OS crash can lose the last commits.
    db.pragma('synchronous = NORMAL');
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  const statements: Record<RecordKind, BetterSqlite3.Statement> = {
    start: db.prepare(upsert(START_COLUMNS)),
    end: db.prepare(upsert(END_COLUMNS)),
    token: db.prepare(insert(TABLE_OF.token, false)),
    prompt: db.prepare(insert(TABLE_OF.prompt, false)),
    tool: db.prepare(insert(TABLE_OF.tool, false)),
    thought: db.prepare(insert(TABLE_OF.thought, false)),
    passthrough: db.prepare(insert(TABLE_OF.passthrough, true)),
  };
  const writeBatch = db.transaction((batch: QueuedRecord[]) => {
    for (const item of batch) statements[item.kind].run(rowOf(item));
  });
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepared = (sql: string): BetterSqlite3.Statement => {
    let s = cache.get(sql);
    if (!s) {
      if (cache.size >= MAX_CACHED_STATEMENTS) cache.clear();
      s = db.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
  return {
    sink: {
      write: async (batch) => {
        writeBatch.immediate(batch);
      },
      isTransient: isTransientStoreError,
    },
    reader: {
      dialect: 'sqlite',
      table: (name) => name,
      all: async (sql: string, params: SqlValue[]) => prepared(sql).all(params) as SqlRow[],
    },
    close: async () => {
      if (db.open) db.close();
    },
  };
}

/**
 * Records into a SQLite file through the batching writer (one transaction per flush, off the request path) and
 * answers {@link UsageQuery}. Tables are created or migrated at construction; a database written by a newer
 * release throws. Needs the optional dependency `better-sqlite3` (12.x).
 */
export class SqliteRecorder extends SqlRecorder {
  constructor(options: SqliteRecorderOptions) {
    super(OWNER, options, openSqlite(options));
  }
}
