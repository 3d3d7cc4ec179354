/** What SqliteRecorder and PostgresRecorder share: recording through the batching writer, and the UsageQuery over SQL. */
import { randomBytes } from 'node:crypto';
import { BatchWriter, type BatchSink, type BatchWriterOptions, type WriterStats } from './batch-writer';
import { Pricer, type PricingOptions } from './prices';
import { QueryEngine } from './query-engine';
import { recordBytes } from './record-limits';
import type { QueuedRecord, RecordKind } from './rows';
import { SqlUsageSource, type SqlReader } from './sql-query';
import type {
  InterceptionEndedRecord, InterceptionRecord, ModelThoughtRecord, PassthroughRecord, PromptUsageRecord, Recorder,
  TokenUsageRecord, ToolUsageRecord,
} from './types';
import type {
  InterceptionDetail, InterceptionSummary, OverheadStats, Page, TimeBucket, ToolStat, UsageDimension, UsageGroup, UsagePoint, UsageQuery,
  UsageQueryBase, UsageTotals,
} from './usage-query';

/** Options every SQL store takes: the batching writer's and the price table. */
export interface SqlRecorderOptions extends BatchWriterOptions, PricingOptions {}

/** A database as a store sees it: where batches go, how queries read, how it closes. */
export interface SqlDriver {
  sink: BatchSink<QueuedRecord>;
  reader: SqlReader;
  /** Counters of the database itself, added to the store's `stats()`. */
  stats?(): Partial<StoreStats>;
  close(): Promise<void>;
}

/** What a SQL store's `stats()` returns: the writer's counters, and the database's own. */
export interface StoreStats extends WriterStats {
  /** SqliteRecorder: times the database file was found deleted or replaced while open and created again (logged as an error). */
  fileReopens?: number;
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'FLUSH_TIMEOUT',
  // PostgreSQL: serialization failure, deadlock, shutdowns, cannot connect now, too many connections, connection exceptions.
  '40001', '40P01', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006',
  // PostgreSQL insufficient resources: disk full, out of memory. Space can come back; the batch waits in the queue.
  '53000', '53100', '53200',
]);

/**
 * Whether a store error says the storage is full (SQLite "database or disk is full", PostgreSQL `disk_full`). Such a
 * batch is kept and retried like a busy one: dropping it would lose records that fit as soon as space is freed.
 */
export function isStorageFullError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_FULL') || code === '53100');
}

/**
 * Whether a store error is worth retrying: the database is unreachable, restarting, busy, full, failed an I/O, or lost a race.
 * Anything else (a constraint, a syntax error, a newer schema) is not, and the batch is dropped and counted.
 */
export function isTransientStoreError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (TRANSIENT_CODES.has(code) || /^SQLITE_(BUSY|LOCKED|FULL|IOERR)/.test(code)) return true;
  }
  // node-postgres reports a dropped connection without a code.
  const message = err instanceof Error ? err.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
}

/** The Recorder method of each queued kind, as record-limits names records. */
const METHOD_OF: Record<RecordKind, string> = {
  start: 'recordInterception', end: 'recordInterceptionEnded', token: 'recordTokenUsage', prompt: 'recordPromptUsage',
  tool: 'recordToolUsage', thought: 'recordModelThought', passthrough: 'recordPassthrough',
};

function queuedBytes(q: QueuedRecord): number {
  return recordBytes(METHOD_OF[q.kind], q.r);
}

/**
 * Unique keys for child records (`record_key`): a random prefix per store instance (96 bits, so two processes or
 * replicas never share one) and a fixed-width counter. Keys of one store sort in the order they were given, so
 * each lands at the right edge of the unique index: a random key (a UUID) would dirty a page anywhere in the index
 * on every insert, which is most of what a flush writes.
 */
export function recordKeys(): () => string {
  const prefix = randomBytes(12).toString('base64url');
  let next = 0;
  return () => prefix + (next++).toString(36).padStart(11, '0');
}

/**
 * Records through a {@link BatchWriter}: every record method enqueues synchronously and returns; batches are written
 * off the request path, one transaction per flush.
 */
export class SqlRecorder implements Recorder, UsageQuery {
  private readonly writer: BatchWriter<QueuedRecord>;
  private readonly query: QueryEngine;
  private closing: Promise<void> | undefined;
  private readonly nextKey = recordKeys();

  constructor(owner: string, options: SqlRecorderOptions, private readonly driver: SqlDriver) {
    this.writer = new BatchWriter(driver.sink, owner, options, queuedBytes);
    this.query = new QueryEngine(new SqlUsageSource(driver.reader), new Pricer(options, owner));
  }

  recordInterception(r: InterceptionRecord): void { this.writer.push({ kind: 'start', r }); }
  recordInterceptionEnded(r: InterceptionEndedRecord): void { this.writer.push({ kind: 'end', r }); }
  // A key per child record, given once here: every retry of its batch carries the same one.
  recordTokenUsage(r: TokenUsageRecord): void { this.writer.push({ kind: 'token', r, key: this.nextKey() }); }
  recordPromptUsage(r: PromptUsageRecord): void { this.writer.push({ kind: 'prompt', r, key: this.nextKey() }); }
  recordToolUsage(r: ToolUsageRecord): void { this.writer.push({ kind: 'tool', r, key: this.nextKey() }); }
  recordModelThought(r: ModelThoughtRecord): void { this.writer.push({ kind: 'thought', r, key: this.nextKey() }); }
  recordPassthrough(r: PassthroughRecord): void { this.writer.push({ kind: 'passthrough', r }); }

  /** Queue length and what the writer has written, dropped and retried since creation; whether the storage is full. */
  stats(): StoreStats {
    return { ...this.writer.stats(), ...this.driver.stats?.() };
  }

  /** Writes what is queued now; resolves when it is stored (waits through retries while the store is down). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Flushes what is pending within `closeTimeoutMs`, then closes the database (connections this store opened). */
  close(): Promise<void> {
    this.closing ??= this.writer.close().then(() => this.driver.close());
    return this.closing;
  }

  totals(q?: UsageQueryBase): Promise<UsageTotals> { return this.query.totals(q); }
  groupBy(q: UsageQueryBase & { by: UsageDimension; limit?: number }): Promise<UsageGroup[]> { return this.query.groupBy(q); }
  timeSeries(q: UsageQueryBase & { bucket: TimeBucket; by?: UsageDimension }): Promise<UsagePoint[]> { return this.query.timeSeries(q); }
  topTools(q?: UsageQueryBase & { limit?: number }): Promise<ToolStat[]> { return this.query.topTools(q); }
  recentInterceptions(q?: UsageQueryBase & { limit?: number; cursor?: string }): Promise<Page<InterceptionSummary>> {
    return this.query.recentInterceptions(q);
  }
  interception(id: string): Promise<InterceptionDetail | undefined> { return this.query.interception(id); }
  overhead(q?: UsageQueryBase): Promise<OverheadStats> { return this.query.overhead(q); }
}
