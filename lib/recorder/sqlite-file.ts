/** SqliteRecorder's main connection: opened and migrated, and opened again (schema and all) when its file is deleted or replaced. */
import fs from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import type { Logger } from 'winston';
import { migrationsTableDDL, MIGRATIONS, newerSchemaError, SCHEMA_VERSION } from './schema';

const OWNER = 'SqliteRecorder';

/** The code a write thread answers with when the file it opened is no longer at its path. */
export const FILE_GONE = 'SQLITE_FILE_GONE';

export function loadDriver(): typeof BetterSqlite3 {
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

function open(filename: string, busyTimeoutMs: number): BetterSqlite3.Database {
  const Database = loadDriver();
  const db = new Database(filename, { timeout: busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    // WAL with synchronous=NORMAL survives a process crash; only an OS crash can lose the last commits.
    db.pragma('synchronous = NORMAL');
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Which file a path names right now (device and inode); undefined when nothing is there. */
function identity(filename: string): string | undefined {
  const st = fs.statSync(filename, { throwIfNoEntry: false });
  return st ? `${st.dev}:${st.ino}` : undefined;
}

/**
 * The main thread's connection (queries, and writes for `:memory:`). A file deleted while open would silently take
 * every later record with it; {@link reopenIfGone} notices (called when a write fails) and creates the file again.
 */
export class SqliteFile {
  db: BetterSqlite3.Database;
  /** Times the file was found deleted or replaced and created again. */
  reopens = 0;
  private opened: string | undefined;

  constructor(private readonly filename: string, private readonly busyTimeoutMs: number, private readonly logger: Logger | undefined) {
    this.db = open(filename, busyTimeoutMs);
    this.opened = filename === ':memory:' ? undefined : identity(filename);
  }

  /**
   * When the file at the path is not the one opened, closes this connection (the write thread has closed its own, so
   * this last close removes the old WAL files at the path) and opens the path again: a new file with the schema.
   * True when it did. The caller retries its batch.
   */
  reopenIfGone(): boolean {
    if (this.opened === undefined || identity(this.filename) === this.opened) return false;
    if (this.db.open) this.db.close();
    this.db = open(this.filename, this.busyTimeoutMs);
    this.opened = identity(this.filename);
    this.reopens++;
    this.logger?.error(`${OWNER}: the database file was deleted or replaced while open; created a new one at the same path. `
      + 'Records written before are not in it.', { filename: this.filename, reopens: this.reopens });
    return true;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
