/** A batch as one group of rows per INSERT, the same for both SQL dialects: what each group writes and how it resolves conflicts. */
import { END_COLUMNS, START_COLUMNS, TABLE_OF, writeRow, type QueuedRecord, type RecordKind, type SqlValue } from './rows';
import { columnsOf } from './schema';

/**
 * What one INSERT writes: the rows of a record kind, or `whole`: interceptions whose start and end are both in the
 * batch, one row each, so the common case costs one row write instead of an insert and an update.
 */
export type RowKind = RecordKind | 'whole';

/** Every row kind, in the order a batch writes them. */
export const ROW_KINDS: readonly RowKind[] = ['whole', 'start', 'end', 'token', 'prompt', 'tool', 'thought', 'passthrough'];

/** The rows of one kind, in queue order, flattened (`width` values per row) into one array of values. */
export interface FlatGroup {
  kind: RowKind;
  width: number;
  values: SqlValue[];
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

const WIDTH = Object.fromEntries(ROW_KINDS.map((kind) => [kind, columnsOfRow(kind).length])) as Record<RowKind, number>;

type Of<K extends RecordKind> = Extract<QueuedRecord, { kind: K }>;

/** The id a record is kept by (one row per id), as its column holds it. */
const idOf = (q: Of<'start'> | Of<'end'> | Of<'passthrough'>): string => String(q.r.id ?? null);

/**
 * One group of `records`, each written by `write` into the group's one array. The array grows by appending, so it
 * stays packed (`new Array(n)` makes a holey one), which the write thread's structured clone copies a little faster.
 */
function flat<T>(kind: RowKind, records: Iterable<T>, write: (q: T, out: SqlValue[], at: number) => number): FlatGroup {
  const width = WIDTH[kind];
  const values: SqlValue[] = [];
  let at = 0;
  for (const q of records) at = write(q, values, at);
  return { kind, width, values };
}

const writeOne = (q: QueuedRecord, out: SqlValue[], at: number): number => writeRow(q, out, at);

/**
 * Groups a batch per row kind, each group's rows flattened into one array. Interceptions and passthrough calls keep
 * one row per id (the last one queued), and an interception whose start and end are both here becomes one `whole`
 * row: one statement may then touch each row once, which PostgreSQL requires of an upsert. Child rows keep queue order.
 */
export function groupBatch(batch: readonly QueuedRecord[]): FlatGroup[] {
  const starts = new Map<string, Of<'start'>>();
  const ends = new Map<string, Of<'end'>>();
  const passthrough = new Map<string, Of<'passthrough'>>();
  const children: Partial<Record<RecordKind, QueuedRecord[]>> = {};
  for (const item of batch) {
    if (item.kind === 'start') starts.set(idOf(item), item);
    else if (item.kind === 'end') ends.set(idOf(item), item);
    else if (item.kind === 'passthrough') passthrough.set(idOf(item), item);
    else (children[item.kind] ??= []).push(item);
  }
  const whole: Array<[Of<'start'>, Of<'end'>]> = [];
  for (const [id, start] of starts) {
    const end = ends.get(id);
    if (!end) continue;
    whole.push([start, end]);
    starts.delete(id);
    ends.delete(id);
  }
  const groups: FlatGroup[] = [];
  if (whole.length > 0) groups.push(flat('whole', whole, ([s, e], out, at) => writeRow(e, out, writeRow(s, out, at), false)));
  if (starts.size > 0) groups.push(flat('start', starts.values(), writeOne));
  if (ends.size > 0) groups.push(flat('end', ends.values(), writeOne));
  for (const kind of ['token', 'prompt', 'tool', 'thought'] as const) {
    const records = children[kind];
    if (records) groups.push(flat(kind, records, writeOne));
  }
  if (passthrough.size > 0) groups.push(flat('passthrough', passthrough.values(), writeOne));
  return groups;
}
