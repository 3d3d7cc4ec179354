/** Creates the three built-in stores for tests (fresh SQLite file, fresh PostgreSQL schema) and cleans up after them. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { MemoryRecorder } from '../../lib/recorder/memory-recorder';
import { PostgresRecorder, type PostgresRecorderOptions } from '../../lib/recorder/postgres-recorder';
import { passthroughFromRow } from '../../lib/recorder/rows';
import { SqliteRecorder, type SqliteRecorderOptions } from '../../lib/recorder/sqlite-recorder';
import type { PassthroughRecord, Recorder } from '../../lib/recorder/types';
import type { UsageQuery } from '../../lib/recorder/usage-query';
import { serviceAvailableSync } from './services';
import { TEST_PRICES } from './usage-seed';

export const PG_URL = process.env.AIBRIDGE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const pgAvailable = (): boolean => serviceAvailableSync('127.0.0.1', 5432);

export type TestStore = Recorder & UsageQuery & { flush?(): Promise<void>; close?(): Promise<void> };

export interface StoreKind {
  name: string;
  /** A fresh, empty store. */
  make(): Promise<TestStore>;
  /** Passthrough records as stored (UsageQuery has no passthrough query). */
  passthroughs(store: TestStore): Promise<PassthroughRecord[]>;
}

let counter = 0;
const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aibridge-store-'));
const schemas: string[] = [];

/** A new temp file path for a SQLite database (the directory is removed by {@link cleanupStores}). */
export function tempDbFile(): string {
  return path.join(tmpDir, `usage-${process.pid}-${++counter}.db`);
}

/** A new schema name, dropped by {@link cleanupStores}. */
export function freshSchema(): string {
  const name = `aibridge_test_${process.pid}_${Date.now() % 1e6}_${++counter}`;
  schemas.push(name);
  return name;
}

const sqliteFiles = new Map<TestStore, string>();
const pgSchemas = new Map<TestStore, string>();

export function sqliteStore(options: Partial<SqliteRecorderOptions> = {}): SqliteRecorder {
  const filename = options.filename ?? tempDbFile();
  const store = new SqliteRecorder({ prices: TEST_PRICES, defaultPrices: false, flushIntervalMs: 20, ...options, filename });
  sqliteFiles.set(store, filename);
  return store;
}

export function postgresStore(options: Partial<PostgresRecorderOptions> = {}): PostgresRecorder {
  const schema = options.schema ?? freshSchema();
  const store = new PostgresRecorder({ prices: TEST_PRICES, defaultPrices: false, flushIntervalMs: 20, connectionString: PG_URL, ...options, schema } as PostgresRecorderOptions);
  pgSchemas.set(store, schema);
  return store;
}

export const STORE_KINDS: StoreKind[] = [
  {
    name: 'MemoryRecorder',
    make: async () => new MemoryRecorder({ maxRecords: 100_000, prices: TEST_PRICES, defaultPrices: false }),
    passthroughs: async (s) => [...(s as MemoryRecorder).passthroughs],
  },
  {
    name: 'SqliteRecorder',
    make: async () => sqliteStore(),
    passthroughs: async (s) => {
      const Database = require('better-sqlite3');
      const db = new Database(sqliteFiles.get(s), { readonly: true });
      try {
        return db.prepare('SELECT * FROM passthrough_calls ORDER BY created_at, id').all().map(passthroughFromRow);
      } finally {
        db.close();
      }
    },
  },
  {
    name: 'PostgresRecorder',
    make: async () => {
      const store = postgresStore();
      await store.ready();
      return store;
    },
    passthroughs: async (s) => {
      const pool = new Pool({ connectionString: PG_URL });
      try {
        const { rows } = await pool.query(`SELECT * FROM "${pgSchemas.get(s)}".passthrough_calls ORDER BY created_at, id`);
        return rows.map(passthroughFromRow);
      } finally {
        await pool.end();
      }
    },
  },
];

/** Drops the schemas and files the tests made. */
export async function cleanupStores(): Promise<void> {
  if (schemas.length > 0 && pgAvailable()) {
    const pool = new Pool({ connectionString: PG_URL });
    try {
      for (const s of schemas.splice(0)) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    } finally {
      await pool.end();
    }
  }
  fs.rmSync(tmpDir, { recursive: true, force: true });
}
