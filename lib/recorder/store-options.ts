/** The built-in stores' options checked the way createBridge checks its own: unknown keys named, conflicts refused. */
import fs from 'node:fs';
import path from 'node:path';
import { OptionsError, isPlainObject, rejectTogether, rejectUnknownKeys } from '../options-check';
import { WRITER_OPTION_KEYS } from './batch-writer';

const PRICING_KEYS = ['prices', 'defaultPrices'];
const SQL_KEYS = [...WRITER_OPTION_KEYS, ...PRICING_KEYS];

/** Names other drivers and libraries use for what these stores call otherwise. */
const SQLITE_ALIASES = { file: 'filename', path: 'filename', database: 'filename', db: 'filename' };
const POSTGRES_ALIASES = { url: 'connectionString', uri: 'connectionString', connection: 'connectionString', database: 'connectionString' };

function asOptions(owner: string, options: unknown): Record<string, unknown> {
  if (!isPlainObject(options)) throw new OptionsError(owner, 'options', 'must be an object.');
  return options;
}

/** MemoryRecorder: `maxRecords` and the price table. */
export function checkMemoryOptions(options: unknown): void {
  rejectUnknownKeys('MemoryRecorder', asOptions('MemoryRecorder', options), ['maxRecords', ...PRICING_KEYS]);
}

/** SqliteRecorder: the file (whose directory must exist: SQLite creates the file, never its directory) and the lock wait. */
export function checkSqliteOptions(options: unknown): void {
  const owner = 'SqliteRecorder';
  const o = asOptions(owner, options);
  rejectUnknownKeys(owner, o, ['filename', 'busyTimeoutMs', ...SQL_KEYS], '', SQLITE_ALIASES);
  if (typeof o.filename !== 'string' || o.filename === '') {
    throw new OptionsError(owner, 'filename', 'must be a non-empty string (a file path, or ":memory:").');
  }
  if (o.filename !== ':memory:') {
    const dir = path.dirname(path.resolve(o.filename));
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new OptionsError(owner, 'filename', `names a directory that does not exist: ${dir} (create it first).`);
    }
  }
  const busy = o.busyTimeoutMs;
  if (busy !== undefined && (typeof busy !== 'number' || !Number.isInteger(busy) || busy < 0)) {
    throw new OptionsError(owner, 'busyTimeoutMs', 'must be a non-negative integer.');
  }
}

/** PostgresRecorder: exactly one of `connectionString` (the store's own pool, sized by its options) or `pool`. */
export function checkPostgresOptions(options: unknown): void {
  const owner = 'PostgresRecorder';
  const o = asOptions(owner, options);
  rejectUnknownKeys(owner, o, ['connectionString', 'maxConnections', 'connectTimeoutMs', 'pool', 'schema', ...SQL_KEYS], '', POSTGRES_ALIASES);
  rejectTogether(owner, o, 'connectionString', 'pool');
  if (o.pool !== undefined) {
    for (const own of ['maxConnections', 'connectTimeoutMs']) {
      if (o[own] !== undefined) {
        throw new OptionsError(owner, own, 'applies only to the pool the store opens from `connectionString`; size your own `pool` yourself.');
      }
    }
    const pool = o.pool as { connect?: unknown; on?: unknown } | null;
    if (typeof pool?.connect !== 'function' || typeof pool.on !== 'function') throw new OptionsError(owner, 'pool', 'must be a pg Pool (new Pool(...)).');
  } else if (o.connectionString === undefined) {
    throw new OptionsError(owner, 'connectionString', 'or `pool` is required (a postgres:// URL, or a pg Pool).');
  } else if (typeof o.connectionString !== 'string' || o.connectionString === '') {
    throw new OptionsError(owner, 'connectionString', 'must be a non-empty postgres:// URL.');
  }
}
