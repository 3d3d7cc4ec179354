/** Parses and validates the dashboard API's query parameters (range, filters, grouping, paging) into UsageQuery arguments. */
import type { TimeBucket, TimeRange, UsageDimension, UsageFilter } from '../recorder/usage-query';

/** A client mistake in the query string: answered `400` with this message. */
export class DashboardInputError extends Error {
  constructor(readonly param: string, message: string) {
    super(message);
    this.name = 'DashboardInputError';
  }
}

/** What the query string looks like after Express's parser: strings, arrays of them, or nested objects. */
export type RawQuery = Record<string, unknown>;

export const RANGES = { '24h': 24 * 3_600_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type RangeName = keyof typeof RANGES;
export const DEFAULT_RANGE: RangeName = '7d';
const DIMENSIONS: readonly UsageDimension[] = ['actor', 'model', 'provider', 'client'];
const FILTERS = ['actor', 'model', 'provider', 'client'] as const;
const RANGE_PARAMS = ['range', 'from', 'to'] as const;
const MAX_VALUE_CHARS = 256;
// Hour buckets beyond this would make thousands of points; the page asks for hours only up to 7 days.
const MAX_HOURLY_SPAN_MS = 31 * 86_400_000;
const HOURLY_SPAN_MS = 3 * 86_400_000;
// Strict ISO 8601 with a time zone: `Date.parse` alone accepts many ambiguous forms.
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const CURSOR = /^[\x21-\x7e]{1,512}$/;
const INTERCEPTION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface BaseParams {
  range: TimeRange;
  filter: UsageFilter;
}

function single(query: RawQuery, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new DashboardInputError(name, `\`${name}\` must be given once, as a plain value.`);
  if (v.length === 0 || v.length > MAX_VALUE_CHARS) throw new DashboardInputError(name, `\`${name}\` must be 1 to ${MAX_VALUE_CHARS} characters.`);
  return v;
}

function date(query: RawQuery, name: 'from' | 'to'): Date | undefined {
  const v = single(query, name);
  if (v === undefined) return undefined;
  const t = ISO.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw new DashboardInputError(name, `\`${name}\` must be an ISO 8601 date-time such as 2025-01-31T00:00:00Z.`);
  return new Date(t);
}

function int(query: RawQuery, name: string, max: number): number | undefined {
  const v = single(query, name);
  if (v === undefined) return undefined;
  if (!/^\d{1,6}$/.test(v) || Number(v) < 1 || Number(v) > max) throw new DashboardInputError(name, `\`${name}\` must be an integer from 1 to ${max}.`);
  return Number(v);
}

/** Rejects parameters the endpoint does not know: a typo would otherwise silently widen the query. */
function onlyKnown(query: RawQuery, known: readonly string[]): void {
  for (const name of Object.keys(query)) {
    if (!known.includes(name)) {
      throw new DashboardInputError(name, `Unknown parameter \`${name}\`${known.length ? ` (known: ${known.join(', ')})` : ''}.`);
    }
  }
}

/** `range=24h|7d|30d` (relative to `now`) or `from`/`to`; neither → the last 7 days. */
export function parseRange(query: RawQuery, now: number): TimeRange {
  const name = single(query, 'range');
  const from = date(query, 'from');
  const to = date(query, 'to');
  if (name !== undefined) {
    if (from || to) throw new DashboardInputError('range', 'Give either `range` or `from`/`to`, not both.');
    if (!Object.hasOwn(RANGES, name)) throw new DashboardInputError('range', '`range` must be one of 24h, 7d, 30d.');
    return { from: new Date(now - RANGES[name as RangeName]), to: new Date(now) };
  }
  if (!from && !to) return { from: new Date(now - RANGES[DEFAULT_RANGE]), to: new Date(now) };
  if (from && to && from.getTime() >= to.getTime()) throw new DashboardInputError('from', '`from` must be before `to`.');
  return { from, to };
}

export function parseFilter(query: RawQuery): UsageFilter {
  const filter: UsageFilter = {};
  for (const name of FILTERS) {
    const v = single(query, name);
    if (v !== undefined) filter[name] = v;
  }
  return filter;
}

/** Range and filters, for every endpoint; `extra` names the endpoint's own parameters. */
export function parseBase(query: RawQuery, now: number, extra: readonly string[] = []): BaseParams {
  onlyKnown(query, [...RANGE_PARAMS, ...FILTERS, ...extra]);
  return { range: parseRange(query, now), filter: parseFilter(query) };
}

/** `actor=<id>`, required and alone (the limits endpoint). */
export function parseActorId(query: RawQuery): string {
  onlyKnown(query, ['actor']);
  const actor = single(query, 'actor');
  if (actor === undefined) throw new DashboardInputError('actor', '`actor` (an actor id) is required.');
  return actor;
}

/** For endpoints that take no parameters at all. */
export function parseNone(query: RawQuery): void {
  onlyKnown(query, []);
}

export function parseDimension(query: RawQuery): UsageDimension {
  const by = single(query, 'by');
  if (by === undefined || !(DIMENSIONS as readonly string[]).includes(by)) {
    throw new DashboardInputError('by', `\`by\` must be one of ${DIMENSIONS.join(', ')}.`);
  }
  return by as UsageDimension;
}

export function parseOptionalDimension(query: RawQuery): UsageDimension | undefined {
  return query.by === undefined ? undefined : parseDimension(query);
}

/** `bucket=hour|day`; by default hours for spans up to 3 days, days beyond (or without a lower bound). */
export function parseBucket(query: RawQuery, range: TimeRange): TimeBucket {
  const v = single(query, 'bucket');
  const span = range.from ? (range.to?.getTime() ?? Date.now()) - range.from.getTime() : Infinity;
  if (v === undefined) return span <= HOURLY_SPAN_MS ? 'hour' : 'day';
  if (v !== 'hour' && v !== 'day') throw new DashboardInputError('bucket', '`bucket` must be hour or day.');
  if (v === 'hour' && span > MAX_HOURLY_SPAN_MS) throw new DashboardInputError('bucket', '`bucket=hour` needs a range of at most 31 days.');
  return v;
}

export function parseLimit(query: RawQuery, max: number): number | undefined {
  return int(query, 'limit', max);
}

export function parseCursor(query: RawQuery): string | undefined {
  const v = single(query, 'cursor');
  if (v !== undefined && !CURSOR.test(v)) throw new DashboardInputError('cursor', '`cursor` must be a value returned as `nextCursor`.');
  return v;
}

export function parseInterceptionId(id: unknown): string {
  if (typeof id !== 'string' || !INTERCEPTION_ID.test(id)) throw new DashboardInputError('id', 'The interception id is malformed.');
  return id;
}
