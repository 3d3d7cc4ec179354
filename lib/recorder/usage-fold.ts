/** What every UsageQuery implementation shares: folding per-model rows into totals, ordering, limits and cursors. */
import type { ModelTokens, Pricer } from './prices';
import type { UsageDimension, UsageFilter, UsageTotals } from './usage-query';

/** Interception counts of one (key, bucket, model). Stores produce these; {@link foldUsage} turns them into totals. */
export interface CountRow {
  key: string;
  bucket: number;
  model: string;
  interceptions: number;
  completed: number;
  failed: number;
  aborted: number;
}

/** Token sums of one (key, bucket, model). */
export interface TokenRow extends ModelTokens {
  key: string;
  bucket: number;
  model: string;
}

/** Totals of one (key, bucket). */
export interface FoldedGroup {
  key: string;
  bucket: number;
  totals: UsageTotals;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const DEFAULT_GROUP_LIMIT = 20;
export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

interface Acc { key: string; bucket: number; counts: Omit<UsageTotals, 'cost'>; models: Map<string, ModelTokens> }

/** Sums rows per (key, bucket); the cost is priced per model, so it is the same whichever store produced the rows. */
export function foldUsage(counts: CountRow[], tokens: TokenRow[], pricer: Pricer): FoldedGroup[] {
  const groups = new Map<string, Acc>();
  const accOf = (key: string, bucket: number): Acc => {
    const id = `${bucket}\u0000${key}`;
    let acc = groups.get(id);
    if (!acc) {
      acc = { key, bucket, counts: emptyCounts(), models: new Map() };
      groups.set(id, acc);
    }
    return acc;
  };
  for (const r of counts) {
    const c = accOf(r.key, r.bucket).counts;
    c.interceptions += r.interceptions;
    c.completed += r.completed;
    c.failed += r.failed;
    c.aborted += r.aborted;
  }
  for (const r of tokens) {
    const acc = accOf(r.key, r.bucket);
    const m = acc.models.get(r.model) ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
    m.input += r.input;
    m.output += r.output;
    m.cacheRead += r.cacheRead;
    m.cacheWrite += r.cacheWrite;
    acc.models.set(r.model, m);
    acc.counts.input += r.input;
    acc.counts.output += r.output;
    acc.counts.cacheRead += r.cacheRead;
    acc.counts.cacheWrite += r.cacheWrite;
  }
  return [...groups.values()].map((a) => ({ key: a.key, bucket: a.bucket, totals: { ...a.counts, cost: pricer.cost(a.models) } }));
}

/** Totals with nothing in them. */
export function emptyTotals(pricer: Pricer): UsageTotals {
  return { ...emptyCounts(), cost: pricer.cost(new Map()) };
}

function emptyCounts(): Omit<UsageTotals, 'cost'> {
  return { interceptions: 0, completed: 0, failed: 0, aborted: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
}

/** All four token kinds together: how groups are ranked. */
export function totalTokens(t: ModelTokens): number {
  return t.input + t.output + t.cacheRead + t.cacheWrite;
}

/** Code-unit string order, the same in every store (database collations differ). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A `limit` option as a positive integer, clamped to `max`. */
export function limitOf(limit: number | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof limit !== 'number' || !Number.isFinite(limit)) return fallback;
  return Math.min(max, Math.max(1, Math.floor(limit)));
}

/** Milliseconds per bucket. */
export function bucketMs(bucket: 'hour' | 'day'): number {
  if (bucket !== 'hour' && bucket !== 'day') throw new TypeError('timeSeries: bucket must be "hour" or "day"');
  return bucket === 'hour' ? HOUR_MS : DAY_MS;
}

/** Where an interception position sits in the newest-first order: `(startedAt, id)`. */
export interface CursorPosition {
  startedAt: number;
  id: string;
}

/** Opaque to callers; encodes the last item of a page. */
export function encodeCursor(p: CursorPosition): string {
  return Buffer.from(JSON.stringify([p.startedAt, p.id]), 'utf8').toString('base64url');
}

/** The position a cursor encodes; a cursor that was not made by {@link encodeCursor} is a TypeError. */
export function decodeCursor(cursor: string): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(String(cursor), 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !Number.isSafeInteger(parsed[0]) || typeof parsed[1] !== 'string') {
    throw new TypeError('recentInterceptions: invalid cursor');
  }
  return { startedAt: parsed[0], id: parsed[1] };
}

/** The filter fields that are set, in a fixed order. */
export function filterEntries(filter: UsageFilter | undefined): Array<[UsageDimension, string]> {
  if (!filter) return [];
  const out: Array<[UsageDimension, string]> = [];
  for (const dim of ['actor', 'model', 'provider', 'client'] as const) {
    const v = filter[dim];
    if (v !== undefined) out.push([dim, String(v)]);
  }
  return out;
}

/** A dimension name checked at runtime (query options may come from a URL). */
export function checkDimension(by: unknown, owner: string): UsageDimension {
  if (by === 'actor' || by === 'model' || by === 'provider' || by === 'client') return by;
  throw new TypeError(`${owner}: by must be one of actor, model, provider, client`);
}
