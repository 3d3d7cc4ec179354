/** The storage schema of the SQL stores, one source for SQLite and PostgreSQL, and its versioned migrations. */

export type Dialect = 'sqlite' | 'postgres';

/**
 * Column kinds. Times are integer milliseconds since the epoch (UTC) and booleans 0/1 in both dialects, so hour and
 * day buckets are the same integer arithmetic everywhere; JSON is text, which stores any client-sent value as is.
 */
type ColumnKind = 'text' | 'int' | 'json' | 'bool' | 'real';

interface TableDef {
  name: string;
  /** `id`: the record's own text id; `seq`: a generated integer key (child rows have no id of their own). */
  key: 'id' | 'seq';
  columns: Array<[name: string, kind: ColumnKind]>;
  indexes: string[][];
}

const CHILD_INDEXES = [['interception_id']];

/** Version 1. Interception start columns are nullable: the end is an upsert that may land before its start. */
const TABLES_V1: TableDef[] = [
  {
    name: 'interceptions',
    key: 'id',
    columns: [
      ['initiator_id', 'text'], ['provider', 'text'], ['provider_name', 'text'], ['route', 'text'], ['model', 'text'],
      ['streaming', 'bool'], ['started_at', 'int'], ['user_agent', 'text'], ['client', 'text'], ['client_session_id', 'text'],
      ['credential_kind', 'text'], ['credential_hint', 'text'], ['correlating_tool_call_id', 'text'], ['metadata', 'json'],
      ['ended_at', 'int'], ['status', 'text'], ['http_status', 'int'], ['error_type', 'text'], ['error_message', 'text'],
      ['end_credential_hint', 'text'], ['attempts', 'json'],
    ],
    indexes: [['started_at'], ['initiator_id', 'started_at'], ['model', 'started_at'], ['provider_name', 'started_at'], ['client', 'started_at']],
  },
  {
    name: 'token_usages',
    key: 'seq',
    columns: [
      ['interception_id', 'text'], ['msg_id', 'text'], ['input', 'int'], ['output', 'int'], ['cache_read', 'int'],
      ['cache_write', 'int'], ['extra', 'json'], ['created_at', 'int'],
    ],
    indexes: CHILD_INDEXES,
  },
  {
    name: 'prompts',
    key: 'seq',
    columns: [['interception_id', 'text'], ['msg_id', 'text'], ['prompt', 'text'], ['created_at', 'int']],
    indexes: CHILD_INDEXES,
  },
  {
    name: 'tool_usages',
    key: 'seq',
    columns: [
      ['interception_id', 'text'], ['msg_id', 'text'], ['tool', 'text'], ['tool_call_id', 'text'], ['server_url', 'text'],
      ['args', 'json'], ['injected', 'bool'], ['invocation_error', 'text'], ['created_at', 'int'],
    ],
    indexes: CHILD_INDEXES,
  },
  {
    name: 'model_thoughts',
    key: 'seq',
    columns: [['interception_id', 'text'], ['msg_id', 'text'], ['content', 'text'], ['source', 'text'], ['created_at', 'int']],
    indexes: CHILD_INDEXES,
  },
  {
    name: 'passthrough_calls',
    key: 'id',
    columns: [
      ['initiator_id', 'text'], ['provider_name', 'text'], ['method', 'text'], ['path', 'text'], ['http_status', 'int'],
      ['duration_ms', 'int'], ['credential_hint', 'text'], ['created_at', 'int'],
    ],
    indexes: [['created_at'], ['initiator_id', 'created_at']],
  },
];

/**
 * Version 2, added columns. `extra`/`end_extra`: original sizes of texts cut at `maxRecordedTextBytes`. `record_key`:
 * a key the store gives each child record when it is queued, unique, so a batch written again (a flush that committed
 * but whose reply was lost) adds no row twice. Rows written by version 1 keep a null key (NULLs never conflict).
 */
const ADDED_V2: Record<string, Array<[name: string, kind: ColumnKind]>> = {
  interceptions: [['end_extra', 'json']],
  token_usages: [['record_key', 'text']],
  prompts: [['extra', 'json'], ['record_key', 'text']],
  tool_usages: [['extra', 'json'], ['record_key', 'text']],
  model_thoughts: [['extra', 'json'], ['record_key', 'text']],
};

function addColumnsV2(dialect: Dialect, q: (name: string) => string): string[] {
  return Object.entries(ADDED_V2).flatMap(([table, cols]) => [
    ...cols.map(([name, kind]) => `ALTER TABLE ${q(table)} ADD COLUMN ${name} ${TYPES[dialect][kind]}`),
    ...(cols.some(([name]) => name === 'record_key') ? [`CREATE UNIQUE INDEX ${table}_record_key_idx ON ${q(table)} (record_key)`] : []),
  ]);
}

/**
 * Version 3, added columns of an interception's end: `gateway_ms` (the gateway's own time to the head of the answer)
 * and `upstream_first_byte_ms` (the upstream's time to its head), fractional milliseconds; `error_code`, the gateway's
 * code for a failure (`forbidden`, `limit_exceeded`, …). Rows written before stay null.
 */
const ADDED_V3: Record<string, Array<[name: string, kind: ColumnKind]>> = {
  interceptions: [['gateway_ms', 'real'], ['upstream_first_byte_ms', 'real'], ['error_code', 'text']],
};

/**
 * Version 4, added columns: `content_mode`, what the interception's records keep of their content (`recordContent`:
 * `full`, `redacted`, `hashed`, `none`; null when the bridge had no `recordContent`, and for rows written before);
 * `guard_edits`, what a guard edited (a JSON array of `request`, `response`).
 */
const ADDED_V4: Record<string, Array<[name: string, kind: ColumnKind]>> = {
  interceptions: [['content_mode', 'text'], ['guard_edits', 'json']],
};

/**
 * Version 5, added column: `upstream_model`, the model the upstream was asked for when the provider maps the client's
 * name (e.g. a Bedrock model id); null when it is the client's, and for rows written before.
 */
const ADDED_V5: Record<string, Array<[name: string, kind: ColumnKind]>> = {
  interceptions: [['upstream_model', 'text']],
};

/** The columns each version added after the first, in order. */
const ADDED = [ADDED_V2, ADDED_V3, ADDED_V4, ADDED_V5];

function addColumns(added: Record<string, Array<[name: string, kind: ColumnKind]>>, dialect: Dialect, q: (name: string) => string): string[] {
  return Object.entries(added).flatMap(([table, cols]) => cols.map(([name, kind]) => `ALTER TABLE ${q(table)} ADD COLUMN ${name} ${TYPES[dialect][kind]}`));
}

/** Column names of a table in insert order (without the generated key): version 1's, then those added since. */
export function columnsOf(table: string): string[] {
  return Object.keys(columnTypesOf(table, 'sqlite'));
}

/** The SQL type of each column of a table, in insert order (without the generated key). */
export function columnTypesOf(table: string, dialect: Dialect): Record<string, string> {
  const def = TABLES_V1.find((t) => t.name === table);
  if (!def) throw new Error(`unknown table ${table}`);
  const columns: Array<[name: string, kind: ColumnKind]> = [
    ...(def.key === 'id' ? [['id', 'text'] as [string, ColumnKind]] : []), ...def.columns, ...ADDED.flatMap((added) => added[table] ?? []),
  ];
  return Object.fromEntries(columns.map(([name, kind]) => [name, TYPES[dialect][kind]]));
}

const TYPES: Record<Dialect, Record<ColumnKind, string>> = {
  sqlite: { text: 'TEXT', int: 'INTEGER', json: 'TEXT', bool: 'INTEGER', real: 'REAL' },
  postgres: { text: 'TEXT', int: 'BIGINT', json: 'TEXT', bool: 'SMALLINT', real: 'DOUBLE PRECISION' },
};

function createTable(t: TableDef, dialect: Dialect, q: (name: string) => string): string[] {
  const key = t.key === 'id' ? 'id TEXT PRIMARY KEY'
    : dialect === 'sqlite' ? 'seq INTEGER PRIMARY KEY' : 'seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY';
  const cols = t.columns.map(([name, kind]) => `${name} ${TYPES[dialect][kind]}`);
  return [
    `CREATE TABLE ${q(t.name)} (${[key, ...cols].join(', ')})`,
    ...t.indexes.map((ix) => `CREATE INDEX ${t.name}_${ix.join('_')}_idx ON ${q(t.name)} (${ix.join(', ')})`),
  ];
}

/** One schema change: the statements that move the database to `version`. */
export interface Migration {
  version: number;
  statements(dialect: Dialect, qualify: (name: string) => string): string[];
}

/** Every migration, in order. Append; never edit one that shipped. */
export const MIGRATIONS: Migration[] = [
  { version: 1, statements: (dialect, q) => TABLES_V1.flatMap((t) => createTable(t, dialect, q)) },
  { version: 2, statements: addColumnsV2 },
  { version: 3, statements: (dialect, q) => addColumns(ADDED_V3, dialect, q) },
  { version: 4, statements: (dialect, q) => addColumns(ADDED_V4, dialect, q) },
  { version: 5, statements: (dialect, q) => addColumns(ADDED_V5, dialect, q) },
];

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The table that records which migrations ran. */
export function migrationsTableDDL(qualify: (name: string) => string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualify('schema_migrations')} (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`;
}

/** The error for a database migrated by a newer release: writing to it could corrupt what that release expects. */
export function newerSchemaError(store: string, found: number): Error {
  return new Error(
    `${store}: the database schema is at version ${found}, newer than this express-aibridge knows (${SCHEMA_VERSION}); `
    + 'upgrade express-aibridge, or point the store at another database',
  );
}
