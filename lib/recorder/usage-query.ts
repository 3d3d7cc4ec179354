/** The UsageQuery extension point: what a store answers about recorded usage (read by the dashboard and hosts). */
import type {
  InterceptionEndedRecord, InterceptionRecord, ModelThoughtRecord, PromptUsageRecord, TokenUsageRecord, ToolUsageRecord,
} from './types';

/** A half-open time range on an interception's `startedAt`: `from` ≤ t < `to`. Both ends optional. */
export interface TimeRange {
  from?: Date;
  to?: Date;
}

/** Filters on the interception; every given field must match exactly. */
export interface UsageFilter {
  /** `initiatorId`. */
  actor?: string;
  model?: string;
  /** `providerName` (the route prefix, e.g. `openai`). */
  provider?: string;
  /** The detected client (`claude-code`, `openai-node`, …). */
  client?: string;
}

export type UsageDimension = 'actor' | 'model' | 'provider' | 'client';
export type TimeBucket = 'hour' | 'day';

/** A cost computed from a price table. Always an estimate; models without a price are counted apart, never as zero. */
export interface CostEstimate {
  /** USD for the priced part. */
  usd: number;
  /** Tokens (input + output + cache) of models the price table does not know. */
  unpricedTokens: number;
  /** Those models, sorted. */
  unpricedModels: string[];
  estimate: true;
}

/** Counts and tokens of a set of interceptions. Tokens are sums of their `TokenUsageRecord`s. */
export interface UsageTotals {
  interceptions: number;
  completed: number;
  failed: number;
  aborted: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cost: CostEstimate;
}

export interface UsageGroup extends UsageTotals {
  /** The dimension's value (`''` when the interception has none, e.g. no detected client). */
  key: string;
}

export interface UsagePoint extends UsageTotals {
  /** Start of the bucket, UTC. */
  bucketStart: Date;
  /** The group's key when the series is grouped. */
  key?: string;
}

export interface ToolStat {
  tool: string;
  serverUrl?: string;
  injected: boolean;
  calls: number;
  /** Calls with an `invocationError`. */
  errors: number;
}

/** One interception as a row of a list. */
export interface InterceptionSummary {
  id: string;
  initiatorId: string;
  providerName: string;
  provider: InterceptionRecord['provider'];
  route: string;
  model: string;
  streaming: boolean;
  client?: string;
  startedAt: Date;
  endedAt?: Date;
  status?: InterceptionEndedRecord['status'];
  httpStatus?: number;
  errorType?: InterceptionEndedRecord['errorType'];
  credentialKind: InterceptionRecord['credentialKind'];
  credentialHint?: string;
  attempts?: InterceptionEndedRecord['attempts'];
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cost: CostEstimate;
}

/** A page of a list, newest first; pass `nextCursor` back as `cursor` for the next page (absent on the last one). */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** Everything recorded for one interception. */
export interface InterceptionDetail {
  interception: InterceptionRecord;
  ended?: InterceptionEndedRecord;
  tokenUsages: TokenUsageRecord[];
  prompts: PromptUsageRecord[];
  tools: ToolUsageRecord[];
  thoughts: ModelThoughtRecord[];
  cost: CostEstimate;
}

/** Percentiles of one latency (ms), nearest rank. */
export interface LatencyPercentiles {
  p50: number;
  p90: number;
  p99: number;
}

/**
 * How long answers took to their head, over the newest timed interceptions in range (at most 10,000): the gateway's
 * own time next to the upstream's time to first byte. A percentile is absent when nothing was measured.
 */
export interface OverheadStats {
  /** Interceptions with a recorded gateway time that the percentiles are computed over. */
  samples: number;
  gatewayMs?: LatencyPercentiles;
  /** Over those of the samples that called an upstream. */
  upstreamFirstByteMs?: LatencyPercentiles;
}

export interface UsageQueryBase {
  range?: TimeRange;
  filter?: UsageFilter;
}

/** Read access to recorded usage; implemented by MemoryRecorder, SqliteRecorder and PostgresRecorder alike. */
export interface UsageQuery {
  totals(q?: UsageQueryBase): Promise<UsageTotals>;
  /** Totals per value of one dimension, largest total tokens first. `limit` defaults to 20. */
  groupBy(q: UsageQueryBase & { by: UsageDimension; limit?: number }): Promise<UsageGroup[]>;
  /** Totals per hour or day (UTC), oldest first; empty buckets left out; per group when `by` is given. */
  timeSeries(q: UsageQueryBase & { bucket: TimeBucket; by?: UsageDimension }): Promise<UsagePoint[]>;
  /** Most-called tools, injected and client-defined apart. `limit` defaults to 20. */
  topTools(q?: UsageQueryBase & { limit?: number }): Promise<ToolStat[]>;
  /** Interceptions newest first. `limit` defaults to 50, at most 500. */
  recentInterceptions(q?: UsageQueryBase & { limit?: number; cursor?: string }): Promise<Page<InterceptionSummary>>;
  /** One interception in full, or undefined. */
  interception(id: string): Promise<InterceptionDetail | undefined>;
  /** Gateway overhead and upstream first-byte percentiles (every built-in store answers; optional for a host's own). */
  overhead?(q?: UsageQueryBase): Promise<OverheadStats>;
}
