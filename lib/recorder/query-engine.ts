/** UsageQuery over a UsageSource: one implementation of ordering, limits, paging and costs for every store. */
import type { ModelTokens, Pricer } from './prices';
import { OVERHEAD_SAMPLE_CAP, overheadOf, type LatencySample } from './latency-percentiles';
import type {
  InterceptionDetail, InterceptionSummary, OverheadStats, Page, ToolStat, UsageDimension, UsageGroup, UsagePoint, UsageQuery,
  UsageQueryBase, UsageTotals, TimeBucket,
} from './usage-query';
import {
  bucketMs, checkDimension, compareText, decodeCursor, DEFAULT_GROUP_LIMIT, DEFAULT_PAGE_LIMIT, emptyTotals, encodeCursor,
  foldUsage, limitOf, MAX_PAGE_LIMIT, totalTokens, type CountRow, type CursorPosition, type TokenRow,
} from './usage-fold';

/** An interception row of a list, before its tokens and cost are attached. */
export type SummaryBase = Omit<InterceptionSummary, 'input' | 'output' | 'cacheRead' | 'cacheWrite' | 'cost'>;

/**
 * The primitives a store answers; everything else (folding, ranking, cursors, prices) is done once, here, so every
 * store returns the same results on the same data. Rows only count interceptions whose start was recorded, within
 * the range and filter (on the interception); `by` adds the dimension as `key` (`''` when absent), `bucket` the bucket
 * start in ms (0 when not bucketed).
 */
export interface UsageSource {
  counts(q: UsageQueryBase, by?: UsageDimension, bucket?: number): Promise<CountRow[]>;
  tokens(q: UsageQueryBase, by?: UsageDimension, bucket?: number): Promise<TokenRow[]>;
  /** Tool calls per (tool, serverUrl, injected), in any order. */
  tools(q: UsageQueryBase): Promise<ToolStat[]>;
  /** Up to `limit` interceptions newest first (`startedAt` then `id`, both descending), strictly after `after`. */
  interceptions(q: UsageQueryBase, limit: number, after?: CursorPosition): Promise<SummaryBase[]>;
  /** Token sums per interception id. */
  tokensOf(ids: string[]): Promise<Map<string, ModelTokens>>;
  detail(id: string): Promise<Omit<InterceptionDetail, 'cost'> | undefined>;
  /** The times of up to `limit` interceptions with a recorded gateway time, newest first. */
  latencies(q: UsageQueryBase, limit: number): Promise<LatencySample[]>;
}

const NO_TOKENS: ModelTokens = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

/**
 * A `cursor` that no store made (edited, truncated, from another API): the caller's mistake, not a store failure, so
 * a host can answer it with 400. A TypeError as before; `code` identifies it where `instanceof` cannot (a custom
 * UsageQuery, or two copies of the package).
 */
export class InvalidCursorError extends TypeError {
  readonly code = 'invalid_cursor';

  constructor() {
    super('recentInterceptions: invalid cursor (pass back a `nextCursor` unchanged)');
    this.name = 'InvalidCursorError';
  }
}

function positionOf(cursor: string): CursorPosition {
  try {
    return decodeCursor(cursor);
  } catch {
    throw new InvalidCursorError();
  }
}

/** The {@link UsageQuery} every built-in store exposes. */
export class QueryEngine implements UsageQuery {
  constructor(private readonly source: UsageSource, private readonly pricer: Pricer) {}

  async totals(q: UsageQueryBase = {}): Promise<UsageTotals> {
    const [counts, tokens] = await Promise.all([this.source.counts(q), this.source.tokens(q)]);
    return foldUsage(counts, tokens, this.pricer)[0]?.totals ?? emptyTotals(this.pricer);
  }

  async groupBy(q: UsageQueryBase & { by: UsageDimension; limit?: number }): Promise<UsageGroup[]> {
    const by = checkDimension(q?.by, 'groupBy');
    const [counts, tokens] = await Promise.all([this.source.counts(q, by), this.source.tokens(q, by)]);
    return foldUsage(counts, tokens, this.pricer)
      .map((g): UsageGroup => ({ key: g.key, ...g.totals }))
      .sort((a, b) => totalTokens(b) - totalTokens(a) || b.interceptions - a.interceptions || compareText(a.key, b.key))
      .slice(0, limitOf(q.limit, DEFAULT_GROUP_LIMIT));
  }

  async timeSeries(q: UsageQueryBase & { bucket: TimeBucket; by?: UsageDimension }): Promise<UsagePoint[]> {
    const size = bucketMs(q?.bucket);
    const by = q.by === undefined ? undefined : checkDimension(q.by, 'timeSeries');
    const [counts, tokens] = await Promise.all([this.source.counts(q, by, size), this.source.tokens(q, by, size)]);
    return foldUsage(counts, tokens, this.pricer)
      .sort((a, b) => a.bucket - b.bucket || compareText(a.key, b.key))
      .map((g): UsagePoint => (by ? { bucketStart: new Date(g.bucket), key: g.key, ...g.totals } : { bucketStart: new Date(g.bucket), ...g.totals }));
  }

  async topTools(q: UsageQueryBase & { limit?: number } = {}): Promise<ToolStat[]> {
    const stats = await this.source.tools(q);
    return stats
      .sort((a, b) => b.calls - a.calls || compareText(a.tool, b.tool) || Number(a.injected) - Number(b.injected)
        || compareText(a.serverUrl ?? '', b.serverUrl ?? ''))
      .slice(0, limitOf(q.limit, DEFAULT_GROUP_LIMIT));
  }

  async recentInterceptions(q: UsageQueryBase & { limit?: number; cursor?: string } = {}): Promise<Page<InterceptionSummary>> {
    const limit = limitOf(q.limit, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT);
    const after = q.cursor === undefined ? undefined : positionOf(q.cursor);
    // One more than asked tells whether a next page exists without a count query.
    const rows = await this.source.interceptions(q, limit + 1, after);
    const page = rows.slice(0, limit);
    const tokens = await this.source.tokensOf(page.map((r) => r.id));
    const items = page.map((r): InterceptionSummary => {
      const t = tokens.get(r.id) ?? NO_TOKENS;
      return { ...r, input: t.input, output: t.output, cacheRead: t.cacheRead, cacheWrite: t.cacheWrite, cost: this.pricer.cost(new Map([[r.model, t]])) };
    });
    const last = page[page.length - 1];
    return rows.length > limit && last ? { items, nextCursor: encodeCursor({ startedAt: last.startedAt.getTime(), id: last.id }) } : { items };
  }

  async interception(id: string): Promise<InterceptionDetail | undefined> {
    if (typeof id !== 'string') return undefined;
    const d = await this.source.detail(id);
    if (!d) return undefined;
    const t = { ...NO_TOKENS };
    for (const u of d.tokenUsages) {
      t.input += u.input;
      t.output += u.output;
      t.cacheRead += u.cacheRead;
      t.cacheWrite += u.cacheWrite;
    }
    return { ...d, cost: this.pricer.cost(new Map([[d.interception.model, t]])) };
  }

  async overhead(q: UsageQueryBase = {}): Promise<OverheadStats> {
    return overheadOf(await this.source.latencies(q, OVERHEAD_SAMPLE_CAP));
  }
}
