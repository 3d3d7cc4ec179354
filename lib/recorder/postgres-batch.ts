/** The one statement that writes a whole batch to PostgreSQL: every row kind's INSERT over UNNEST arrays, prepared once per connection. */
import { createHash } from 'node:crypto';
import { columnsOfRow, conflictOf, groupBatch, ROW_KINDS, tableOf } from './row-groups';
import type { QueuedRecord, SqlValue } from './rows';
import { columnTypesOf } from './schema';

/** A query as node-postgres takes it; `name` makes it a prepared statement, parsed once per connection. */
export interface BatchQuery {
  name?: string;
  text: string;
  values: string[];
}

/** PostgreSQL rejects NUL in text; prompts are client text, so one NUL must not fail a whole batch. */
export function clean(v: SqlValue): SqlValue {
  return typeof v === 'string' && v.includes('\u0000') ? v.replace(/\u0000/g, '\uFFFD') : v;
}

const QUOTED = /["\\]/g;

/** The literal of an empty array: what a column of a kind the batch does not hold gets. */
const EMPTY = '{}';

/**
 * Column `c` of a group's flat values (`width` per row) as a PostgreSQL array literal, sent as the parameter's text:
 * what node-postgres would build from a JS array, without escaping strings that need none (most do not), and with
 * NUL replaced on the way.
 */
function arrayLiteral(values: readonly SqlValue[], width: number, c: number): string {
  let out = '{';
  for (let i = c; i < values.length; i += width) {
    if (i > c) out += ',';
    const v = values[i]!;
    if (v === null) out += 'NULL';
    else if (typeof v === 'number') out += String(v);
    else {
      const text = v.includes('\u0000') ? (clean(v) as string) : v;
      out += `"${text.includes('"') || text.includes('\\') ? text.replace(QUOTED, '\\$&') : text}"`;
    }
  }
  return `${out}}`;
}

/**
 * The statement's text: one data-modifying CTE per row kind, each inserting from one array per column. Its
 * parameters are the same whatever the batch holds (an empty array inserts nothing), so one text serves every batch
 * and the server parses and plans it once per connection. One statement is one transaction: the batch is stored
 * whole or not at all, in one round trip.
 */
function batchText(table: (name: string) => string): string {
  let param = 0;
  const parts = ROW_KINDS.map((kind, i) => {
    const cols = columnsOfRow(kind);
    const types = columnTypesOf(tableOf(kind), 'postgres');
    const arrays = cols.map((c) => `$${++param}::${types[c]}[]`).join(', ');
    return `w${i} AS (INSERT INTO ${table(tableOf(kind))} (${cols.join(', ')}) SELECT * FROM unnest(${arrays}) ${conflictOf(kind)})`;
  });
  return `WITH ${parts.join(', ')} SELECT 1`;
}

/**
 * Builds the batch query for a store's tables. `named` queries carry a name derived from the text (two stores on one
 * pool, with different schemas, never share a name); without it the query is unnamed, parsed on every call, for
 * connections that cannot keep prepared statements (a pooler in transaction mode).
 */
export function batchQueries(table: (name: string) => string): (batch: readonly QueuedRecord[], named: boolean) => BatchQuery {
  const text = batchText(table);
  const name = `aibridge_batch_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  const widths = ROW_KINDS.map((kind) => columnsOfRow(kind).length);
  // Where each kind's first column sits among the statement's parameters.
  const offsets = new Map(ROW_KINDS.map((kind, i) => [kind, widths.slice(0, i).reduce((a, b) => a + b, 0)]));
  const count = widths.reduce((a, b) => a + b, 0);
  return (batch, named) => {
    const values = new Array<string>(count).fill(EMPTY);
    for (const g of groupBatch(batch)) {
      const first = offsets.get(g.kind)!;
      for (let c = 0; c < g.width; c++) values[first + c] = arrayLiteral(g.values, g.width, c);
    }
    return named ? { name, text, values } : { text, values };
  };
}
