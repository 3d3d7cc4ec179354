/** PostgresRecorder: usage in PostgreSQL (node-postgres), shared by replicas, written in multi-row batches, queryable. */
import type { Pool, PoolClient, PoolConfig } from 'pg';
import { batchQueries, clean } from './postgres-batch';
import type { QueuedRecord, SqlValue } from './rows';
import { migrationsTableDDL, MIGRATIONS, newerSchemaError, SCHEMA_VERSION } from './schema';
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

const ignore = (): void => undefined;

function hashSchema(schema: string): number {
  let h = 0;
  for (let i = 0; i < schema.length; i++) h = (Math.imul(h, 31) + schema.charCodeAt(i)) | 0;
  return h;
}

/**
 * Codes of a named statement the connection does not hold as the client believes (a pooler in transaction mode hands
 * out server connections that never saw it, or already have it): the batch is sent again unnamed, and so is every
 * later one.
 */
const PREPARED_STATEMENT_TROUBLE = new Set(['26000', '42P05']);

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
  const batchQuery = batchQueries(table);
  let named = true;

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
      // One statement, one round trip: the whole batch or nothing (a failed statement leaves no row behind).
      try {
        await client.query(batchQuery(batch, named));
      } catch (err) {
        if (!named || released || !PREPARED_STATEMENT_TROUBLE.has((err as { code?: string }).code ?? '')) throw err;
        named = false;
        await client.query(batchQuery(batch, false));
      }
      release();
    } catch (err) {
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
 * Records into PostgreSQL through the batching writer (one prepared statement per flush: every kind's rows inserted from arrays, in one round trip) and answers
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
