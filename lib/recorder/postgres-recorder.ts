/** PostgresRecorder: usage in PostgreSQL (node-postgres), shared by replicas, written in multi-row batches, queryable. */
import type { Pool, PoolClient, PoolConfig } from 'pg';
import { END_COLUMNS, rowOf, START_COLUMNS, TABLE_OF, type QueuedRecord, type RecordKind, type SqlValue } from './rows';
import { columnsOf, migrationsTableDDL, MIGRATIONS, newerSchemaError, SCHEMA_VERSION } from './schema';
import { OptionsError, optionalPositiveInt } from '../options-check';
import { checkPostgresOptions } from './store-options';
import { isStorageFullError, isTransientStoreError, SqlRecorder, type SqlDriver, type SqlRecorderOptions } from './sql-recorder';
import type { SqlRow } from './sql-query';

/** Options of {@link PostgresRecorder}: a connection string or a pool of the host's, plus the writer's options. */
export type PostgresRecorderOptions = SqlRecorderOptions & PostgresConnection & {
  /** The schema holding the tables, created when missing (`[A-Za-z_][A-Za-z0-9_]*`). Defaults to `public`. */
  schema?: string;
};

type PostgresConnection =
  | {
    /** A `postgres://` URL; the store opens its own pool and ends it on `close()`. */
    connectionString: string;
    /** Connections of the store's own pool. Defaults to 4. */
    maxConnections?: number;
    /** How long the store's own pool waits for a new connection before the attempt fails (and is retried). Defaults to 5,000 ms. */
    connectTimeoutMs?: number;
    pool?: never;
  }
  | {
    /** A `pg` Pool of the host's; the store borrows clients and leaves the pool open on `close()`. */
    pool: PgPool;
    connectionString?: never;
    maxConnections?: never;
    connectTimeoutMs?: never;
  };

/**
 * A `pg` Pool, as far as this store uses it: typed here so that the package's declarations need no `@types/pg`
 * (a real `pg.Pool` fits).
 */
export interface PgPool {
  connect(): Promise<unknown>;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

const OWNER = 'PostgresRecorder';
// PostgreSQL accepts at most 65,535 parameters per statement.
const MAX_PARAMS = 60_000;
const LOCK_CLASS = 0x41494252; // "AIBR": the first key of the advisory lock that serialises migrations.

function loadPg(): typeof import('pg') {
  try {
    // Optional dependency, loaded only when this store is used.
    return require('pg') as typeof import('pg');
  } catch (err) {
    const missing = (err as { code?: string }).code === 'MODULE_NOT_FOUND';
    throw new Error(missing ? `${OWNER} needs the optional dependency pg: npm install pg@8` : `${OWNER}: pg failed to load (${(err as Error).message})`);
  }
}

/** PostgreSQL rejects NUL in text; prompts are client text, so one NUL must not fail a whole batch. */
function clean(v: SqlValue): SqlValue {
  return typeof v === 'string' && v.includes('\u0000') ? v.replace(/\u0000/g, '\uFFFD') : v;
}

const ignore = (): void => undefined;

function hashSchema(schema: string): number {
  let h = 0;
  for (let i = 0; i < schema.length; i++) h = (Math.imul(h, 31) + schema.charCodeAt(i)) | 0;
  return h;
}

/** Statement text per (kind, rows), built once per shape. */
function statementBuilder(table: (name: string) => string) {
  const cache = new Map<string, string>();
  const conflict = (kind: RecordKind, cols: string[]): string => {
    if (kind === 'passthrough') return ' ON CONFLICT (id) DO NOTHING';
    // A batch written again (its first commit's reply was lost) adds no child row twice.
    if (kind !== 'start' && kind !== 'end') return ' ON CONFLICT (record_key) DO NOTHING';
    return ` ON CONFLICT (id) DO UPDATE SET ${cols.slice(1).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`;
  };
  return (kind: RecordKind, rows: number): string => {
    const key = `${kind}:${rows}`;
    let sql = cache.get(key);
    if (!sql) {
      const cols = kind === 'start' ? START_COLUMNS : kind === 'end' ? END_COLUMNS : columnsOf(TABLE_OF[kind]);
      const tuples: string[] = [];
      for (let r = 0; r < rows; r++) tuples.push(`(${cols.map((_, c) => `$${r * cols.length + c + 1}`).join(', ')})`);
      sql = `INSERT INTO ${table(TABLE_OF[kind])} (${cols.join(', ')}) VALUES ${tuples.join(', ')}${conflict(kind, cols)}`;
      if (cache.size > 500) cache.clear();
      cache.set(key, sql);
    }
    return sql;
  };
}

/** Groups a batch per kind; upserted kinds keep one row per id (one statement cannot touch a row twice). */
function groupBatch(batch: QueuedRecord[]): Map<RecordKind, SqlValue[][]> {
  const groups = new Map<RecordKind, SqlValue[][]>();
  const byId = new Map<string, Map<string, SqlValue[]>>();
  for (const item of batch) {
    const row = rowOf(item).map(clean);
    if (item.kind === 'start' || item.kind === 'end' || item.kind === 'passthrough') {
      let m = byId.get(item.kind);
      if (!m) byId.set(item.kind, (m = new Map()));
      m.set(String(row[0]), row);
    } else {
      let list = groups.get(item.kind);
      if (!list) groups.set(item.kind, (list = []));
      list.push(row);
    }
  }
  for (const [kind, m] of byId) groups.set(kind as RecordKind, [...m.values()]);
  return groups;
}

/** Opens the database and its writer: what the store records through (exported for tests that wrap its sink). */
export function postgresDriver(options: PostgresRecorderOptions): SqlDriver {
  checkPostgresOptions(options);
  const schema = options?.schema ?? 'public';
  if (typeof schema !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
    throw new OptionsError(OWNER, 'schema', 'must be an identifier ([A-Za-z_][A-Za-z0-9_]*).');
  }
  let pool: Pool;
  const owned = !options?.pool;
  if (options?.pool) {
    // Structurally typed for the public declarations; at run time it is the host's pg Pool.
    pool = options.pool as unknown as Pool;
  } else {
    const max = optionalPositiveInt(OWNER, 'maxConnections', options.maxConnections, 4);
    const connectTimeout = optionalPositiveInt(OWNER, 'connectTimeoutMs', options.connectTimeoutMs, 5_000);
    const { Pool: PgPoolClass } = loadPg();
    // Without a connect timeout a database that accepts TCP but never answers would hold a flush, and close(), forever.
    const config: PoolConfig = { connectionString: options.connectionString, max, connectionTimeoutMillis: connectTimeout };
    pool = new PgPoolClass(config);
    // An idle client that loses its connection (a server restart) emits 'error' on the pool; unhandled, it would crash the host.
    pool.on('error', () => undefined);
  }
  const table = (name: string) => `"${schema}"."${name}"`;
  const statement = statementBuilder(table);

  const migrate = async (): Promise<void> => {
    const client = await pool.connect();
    client.on('error', ignore);
    try {
      await client.query('SELECT pg_advisory_lock($1, $2)', [LOCK_CLASS, hashSchema(schema)]);
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
        await client.query(migrationsTableDDL(table));
        const { rows } = await client.query(`SELECT MAX(version) AS v FROM ${table('schema_migrations')}`);
        const found = Number(rows[0]?.v ?? 0);
        if (found > SCHEMA_VERSION) throw newerSchemaError(OWNER, found);
        for (const m of MIGRATIONS) {
          if (m.version <= found) continue;
          await client.query('BEGIN');
          try {
            for (const sql of m.statements('postgres', table)) await client.query(sql);
            await client.query(`INSERT INTO ${table('schema_migrations')} (version, applied_at) VALUES ($1, $2)`, [m.version, Date.now()]);
            await client.query('COMMIT');
          } catch (err) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw err;
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_CLASS, hashSchema(schema)]).catch(() => undefined);
      }
    } finally {
      client.off('error', ignore);
      client.release();
    }
  };
  // Migrations run once; a database that was down is tried again on the next write or query.
  let ready: Promise<void> | undefined;
  const ensureReady = (): Promise<void> => {
    ready ??= migrate().catch((err: unknown) => {
      if (isTransientStoreError(err)) ready = undefined;
      throw err;
    });
    return ready;
  };
  void ensureReady().catch(() => undefined);

  const write = async (batch: QueuedRecord[], signal: AbortSignal): Promise<void> => {
    await ensureReady();
    const client: PoolClient = await pool.connect();
    // A checked-out client whose connection drops emits 'error'; unhandled, that would crash the host process.
    // The failing query reports the same error to the writer, which retries.
    client.on('error', ignore);
    let released = false;
    const release = (err?: Error): void => {
      if (released) return;
      released = true;
      client.off('error', ignore);
      client.release(err);
    };
    // Destroying the connection is the only way to stop a statement that hangs; the server rolls the transaction back.
    const onAbort = (): void => release(new Error('flush deadline passed'));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await client.query('BEGIN');
      for (const [kind, rows] of groupBatch(batch)) {
        const perStatement = Math.max(1, Math.floor(MAX_PARAMS / rows[0]!.length));
        for (let i = 0; i < rows.length; i += perStatement) {
          const chunk = rows.slice(i, i + perStatement);
          await client.query(statement(kind, chunk.length), chunk.flat());
        }
      }
      await client.query('COMMIT');
      release();
    } catch (err) {
      if (!released) await client.query('ROLLBACK').catch(() => undefined);
      release(err instanceof Error ? err : new Error(String(err)));
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };

  return {
    sink: { write, isTransient: isTransientStoreError, isStorageFull: isStorageFullError },
    reader: {
      dialect: 'postgres',
      table,
      all: async (sql: string, params: SqlValue[]) => {
        await ensureReady();
        return (await pool.query(sql, params.map(clean))).rows as SqlRow[];
      },
    },
    close: async () => {
      if (owned) await pool.end();
    },
  };
}

/**
 * Records into PostgreSQL through the batching writer (multi-row INSERTs, one transaction per flush) and answers
 * {@link UsageQuery}; every replica can write to the same database. Tables are created or migrated on first use under
 * an advisory lock, so replicas starting together migrate once; `ready()` resolves when that is done (and rejects,
 * for instance, on a database migrated by a newer release). Needs the optional dependency `pg` (8.x).
 */
export class PostgresRecorder extends SqlRecorder {
  private readonly readyCheck: () => Promise<void>;

  constructor(options: PostgresRecorderOptions) {
    const driver = postgresDriver(options);
    super(OWNER, options, driver);
    this.readyCheck = () => driver.reader.all('SELECT 1', []).then(() => undefined);
  }

  /** Resolves once the schema is in place; rejects with the reason when it cannot be (database down, newer schema). */
  ready(): Promise<void> {
    return this.readyCheck();
  }
}
