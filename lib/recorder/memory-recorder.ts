/** MemoryRecorder: keeps records in arrays, for tests, dashboards and development. */
import { MemoryUsageSource } from './memory-query';
import { Pricer, type PricingOptions } from './prices';
import { QueryEngine } from './query-engine';
import { checkMemoryOptions } from './store-options';
import { storableTokenUsage } from './token-counts';
import type {
  InterceptionEndedRecord, InterceptionRecord, ModelThoughtRecord, PassthroughRecord, PromptUsageRecord, Recorder,
  TokenUsageRecord, ToolUsageRecord,
} from './types';
import type {
  InterceptionDetail, InterceptionSummary, OverheadStats, Page, TimeBucket, ToolStat, UsageDimension, UsageGroup, UsagePoint, UsageQuery,
  UsageQueryBase, UsageTotals,
} from './usage-query';

/** Options of {@link MemoryRecorder}. */
export interface MemoryRecorderOptions extends PricingOptions {
  /**
   * How many records of each kind to keep (the most recent); older ones are dropped in batches so memory stays
   * bounded in long-running processes. Retained records cost GC time on every request, so keep this small and use
   * a persistent recorder for history. Defaults to 1,000.
   */
  maxRecords?: number;
}

/**
 * A recorder that keeps the most recent records of each kind in memory. It answers {@link UsageQuery} over what it
 * still holds: only the latest `maxRecords` of each kind, so its totals cover a recent window, not all history
 * (use SqliteRecorder or PostgresRecorder for that).
 */
export class MemoryRecorder implements Recorder, UsageQuery {
  readonly interceptions: InterceptionRecord[] = [];
  readonly interceptionEnds: InterceptionEndedRecord[] = [];
  readonly tokenUsages: TokenUsageRecord[] = [];
  readonly promptUsages: PromptUsageRecord[] = [];
  readonly toolUsages: ToolUsageRecord[] = [];
  readonly modelThoughts: ModelThoughtRecord[] = [];
  readonly passthroughs: PassthroughRecord[] = [];
  private readonly maxRecords: number;
  // An ES private field: it refers back to this recorder, and JSON.stringify(recorder) must keep working.
  readonly #query: QueryEngine;

  constructor(options: MemoryRecorderOptions = {}) {
    checkMemoryOptions(options);
    const max = options.maxRecords ?? 1_000;
    if (!Number.isInteger(max) || max < 1) throw new TypeError('MemoryRecorder: maxRecords must be a positive integer');
    this.maxRecords = max;
    this.#query = new QueryEngine(new MemoryUsageSource(this), new Pricer(options, 'MemoryRecorder'));
  }

  recordInterception(r: InterceptionRecord): void { this.keep(this.interceptions, r); }
  recordInterceptionEnded(r: InterceptionEndedRecord): void { this.keep(this.interceptionEnds, r); }
  recordTokenUsage(r: TokenUsageRecord): void { this.keep(this.tokenUsages, storableTokenUsage(r)); }
  recordPromptUsage(r: PromptUsageRecord): void { this.keep(this.promptUsages, r); }
  recordToolUsage(r: ToolUsageRecord): void { this.keep(this.toolUsages, r); }
  recordModelThought(r: ModelThoughtRecord): void { this.keep(this.modelThoughts, r); }
  recordPassthrough(r: PassthroughRecord): void { this.keep(this.passthroughs, r); }

  totals(q?: UsageQueryBase): Promise<UsageTotals> { return this.#query.totals(q); }
  groupBy(q: UsageQueryBase & { by: UsageDimension; limit?: number }): Promise<UsageGroup[]> { return this.#query.groupBy(q); }
  timeSeries(q: UsageQueryBase & { bucket: TimeBucket; by?: UsageDimension }): Promise<UsagePoint[]> { return this.#query.timeSeries(q); }
  topTools(q?: UsageQueryBase & { limit?: number }): Promise<ToolStat[]> { return this.#query.topTools(q); }
  recentInterceptions(q?: UsageQueryBase & { limit?: number; cursor?: string }): Promise<Page<InterceptionSummary>> {
    return this.#query.recentInterceptions(q);
  }
  interception(id: string): Promise<InterceptionDetail | undefined> { return this.#query.interception(id); }
  overhead(q?: UsageQueryBase): Promise<OverheadStats> { return this.#query.overhead(q); }

  /** Everything recorded for one interception. */
  forInterception(id: string) {
    return {
      interception: this.interceptions.find((r) => r.id === id),
      ended: this.interceptionEnds.find((r) => r.id === id),
      tokenUsages: this.tokenUsages.filter((r) => r.interceptionId === id),
      promptUsages: this.promptUsages.filter((r) => r.interceptionId === id),
      toolUsages: this.toolUsages.filter((r) => r.interceptionId === id),
      modelThoughts: this.modelThoughts.filter((r) => r.interceptionId === id),
    };
  }

  /** Drops everything recorded so far. */
  clear(): void {
    for (const list of [this.interceptions, this.interceptionEnds, this.tokenUsages, this.promptUsages, this.toolUsages, this.modelThoughts, this.passthroughs]) {
      list.length = 0;
    }
  }

  private keep<T>(list: T[], record: T): void {
    list.push(record);
    // Trimming a quarter at a time keeps pushes amortised O(1).
    if (list.length > this.maxRecords + (this.maxRecords >> 2)) list.splice(0, list.length - this.maxRecords);
  }
}
