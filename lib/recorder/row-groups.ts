/** A batch as one group of rows per INSERT, the same for both SQL dialects: what each group writes and how it resolves conflicts. */
import { END_COLUMNS, rowOf, START_COLUMNS, TABLE_OF, type QueuedRecord, type RecordKind, type SqlValue } from './rows';
import { columnsOf } from './schema';

/**
 * What one INSERT writes: the rows of a record kind, or `whole`: interceptions whose start and end are both in the
 * batch, one row each, so the common case costs one row write instead of an insert and an update.
 */
export type RowKind = RecordKind | 'whole';

/** Every row kind, in the order a batch writes them. */
export const ROW_KINDS: readonly RowKind[] = ['whole', 'start', 'end', 'token', 'prompt', 'tool', 'thought', 'passthrough'];

/** Rows of one kind, in queue order. */
export interface RowGroup {
  kind: RowKind;
  rows: SqlValue[][];
}

/** The table each row kind goes to. */
export function tableOf(kind: RowKind): string {
  return kind === 'whole' ? 'interceptions' : TABLE_OF[kind];
}

/** The columns each row kind writes, in the order of its values. */
export function columnsOfRow(kind: RowKind): string[] {
  if (kind === 'whole') return [...START_COLUMNS, ...END_COLUMNS.slice(1)];
  if (kind === 'start') return START_COLUMNS;
  if (kind === 'end') return END_COLUMNS;
  return columnsOf(TABLE_OF[kind]);
}

/**
 * The `ON CONFLICT` clause of each kind, valid in both dialects. Interceptions are upserts (a start never overwrites
 * end columns, nor the reverse); a child row whose `record_key` is stored already (its batch was written again after a
 * lost reply) and a passthrough call stored already are skipped.
 */
export function conflictOf(kind: RowKind): string {
  if (kind === 'passthrough') return 'ON CONFLICT (id) DO NOTHING';
  if (kind !== 'start' && kind !== 'end' && kind !== 'whole') return 'ON CONFLICT (record_key) DO NOTHING';
  return `ON CONFLICT (id) DO UPDATE SET ${columnsOfRow(kind).slice(1).map((c) => `${c} = excluded.${c}`).join(', ')}`;
}

/**
 * Groups a batch per row kind. Interceptions and passthrough calls keep one row per id (the last one queued), and an
 * interception whose start and end are both here becomes one `whole` row: one statement may then touch each row once,
 * which PostgreSQL requires of an upsert. Child rows keep queue order.
 */
export function groupBatch(batch: readonly QueuedRecord[]): RowGroup[] {
  const starts = new Map<string, SqlValue[]>();
  const ends = new Map<string, SqlValue[]>();
  const passthrough = new Map<string, SqlValue[]>();
  const children: Partial<Record<RowKind, SqlValue[][]>> = {};
  for (const item of batch) {
    const row = rowOf(item);
    if (item.kind === 'start') starts.set(String(row[0]), row);
    else if (item.kind === 'end') ends.set(String(row[0]), row);
    else if (item.kind === 'passthrough') passthrough.set(String(row[0]), row);
    else (children[item.kind] ??= []).push(row);
  }
  const whole: SqlValue[][] = [];
  for (const [id, start] of starts) {
    const end = ends.get(id);
    if (!end) continue;
    whole.push(start.concat(end.slice(1)));
    starts.delete(id);
    ends.delete(id);
  }
  const rowsOf: Partial<Record<RowKind, SqlValue[][]>> = {
    ...children, whole, start: [...starts.values()], end: [...ends.values()], passthrough: [...passthrough.values()],
  };
  const groups: RowGroup[] = [];
  for (const kind of ROW_KINDS) {
    const rows = rowsOf[kind];
    if (rows && rows.length > 0) groups.push({ kind, rows });
  }
  return groups;
}
