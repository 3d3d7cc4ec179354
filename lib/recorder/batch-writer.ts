/** The batching writer in front of a store: bounded queue, batches on a timer, deadline, retry with backoff, drop accounting. */
import type { Logger } from 'winston';
import { errorMessage } from '../observability/logger';
import { OptionsError } from '../options-check';

/** Where batches go. `write` gets the batch in queue order; it should stop early when `signal` aborts. */
export interface BatchSink<T> {
  write(batch: T[], signal: AbortSignal): Promise<void>;
  /** Whether an error is worth retrying (the store is down, busy or full) rather than dropping the batch. */
  isTransient(err: unknown): boolean;
  /** Whether an error says the storage is full (shown in `stats().storageFull` and logged). Defaults to never. */
  isStorageFull?(err: unknown): boolean;
}

/** Options of the writer every SQL store puts in front of its database. */
export interface BatchWriterOptions {
  /** Records held while the store is slow or down; beyond it new records are dropped and counted. Defaults to 10,000. */
  maxQueue?: number;
  /**
   * Approximate bytes of records held while the store is slow or down (their texts plus a small fixed size each);
   * beyond it new records are dropped and counted, so a store outage cannot take the process's memory with it
   * whatever the size of what clients send. Defaults to 67,108,864 (64 MiB).
   */
  maxQueueBytes?: number;
  /**
   * Records per flush (one transaction). A commit costs about the same whatever it holds (the index pages it dirties
   * are written once per commit), so fewer, larger flushes cost less per record. Defaults to 2,000.
   */
  batchSize?: number;
  /** How long a record may wait for its batch to fill before it is written. Defaults to 200 ms. */
  flushIntervalMs?: number;
  /** Deadline of one flush; a flush that takes longer counts as a transient failure and is retried. Defaults to 10,000 ms. */
  flushTimeoutMs?: number;
  /** First retry delay after a transient failure, doubled per retry up to `maxRetryDelayMs`. Defaults to 100 ms. */
  retryDelayMs?: number;
  /** Longest retry delay. Defaults to 5,000 ms. */
  maxRetryDelayMs?: number;
  /** How long `close()` keeps flushing before it drops what is left. Defaults to 5,000 ms. */
  closeTimeoutMs?: number;
  /** How often drops and failures are logged at most (one line per interval with the counts). Defaults to 10,000 ms. */
  logIntervalMs?: number;
  /** A winston logger for drops and failed flushes. Defaults to none (counts stay in `stats()`). */
  logger?: Logger;
}

/** What the writer has done since it was created. */
export interface WriterStats {
  /** Records waiting to be written. */
  queued: number;
  /** Approximate bytes of the records waiting (what `maxQueueBytes` bounds). */
  queuedBytes: number;
  written: number;
  /** Records lost: queue full, a batch the store rejected for good, or still queued when `close()` ran out of time. */
  dropped: number;
  /** Flush attempts repeated after a transient failure. */
  retries: number;
  /** Flush attempts that failed, transient or not. */
  flushFailures: number;
  /** The last flush failed because the storage is full: records are kept (up to the queue bounds) and retried. */
  storageFull: boolean;
  /** The error of the last flush when it failed; absent once a flush succeeds. */
  lastError?: string;
}

const DEFAULTS = {
  maxQueue: 10_000, maxQueueBytes: 64 * 1024 * 1024, batchSize: 2_000, flushIntervalMs: 200, flushTimeoutMs: 10_000, retryDelayMs: 100, maxRetryDelayMs: 5_000,
  closeTimeoutMs: 5_000, logIntervalMs: 10_000,
};

type Numeric = Exclude<keyof BatchWriterOptions, 'logger'>;

/** Every option of the writer, for stores that reject the keys they do not know. */
export const WRITER_OPTION_KEYS: readonly string[] = [...Object.keys(DEFAULTS), 'logger'];

/** Checks the writer options once, naming the bad one. */
export function writerConfig(owner: string, options: BatchWriterOptions): Required<Omit<BatchWriterOptions, 'logger'>> & { logger?: Logger } {
  const out = { ...DEFAULTS, logger: options.logger };
  for (const key of Object.keys(DEFAULTS) as Numeric[]) {
    const v = options[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < (key === 'flushIntervalMs' ? 0 : 1)) {
      throw new OptionsError(owner, key, `must be a ${key === 'flushIntervalMs' ? 'non-negative' : 'positive'} integer.`);
    }
    out[key] = v;
  }
  return out;
}

/**
 * Accepts records synchronously (never blocks, never throws), writes them in batches, one flush at a time. A batch
 * stays at the head of the queue until it is written, so a store outage holds at most `maxQueue` records and loses
 * nothing until that bound is reached.
 */
export class BatchWriter<T> {
  private queue: T[] = [];
  /** The size of each queued record, in queue order, and their sum. */
  private sizes: number[] = [];
  private queuedBytes = 0;
  private readonly counts = { written: 0, dropped: 0, retries: 0, flushFailures: 0 };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closing = false;
  private closed = false;
  private wake: (() => void) | undefined;
  private inflight: AbortController | undefined;
  private unlogged = { dropped: 0, failures: 0, lastError: '' };
  private lastLog = 0;
  private storageFull = false;
  private lastError: string | undefined;
  private lastFullLog = -Infinity;
  private readonly config: ReturnType<typeof writerConfig>;

  /** `sizeOf` weighs a record for `maxQueueBytes`; without it only the count bound applies. */
  constructor(private readonly sink: BatchSink<T>, owner: string, options: BatchWriterOptions = {}, private readonly sizeOf?: (item: T) => number) {
    this.config = writerConfig(owner, options);
  }

  /** Queues one record; drops (and counts) it when the queue is full or the writer is closed. */
  push(item: T): void {
    const size = this.sizeOf?.(item) ?? 0;
    if (this.closed || this.queue.length >= this.config.maxQueue || this.queuedBytes + size > this.config.maxQueueBytes) {
      this.drop(1);
      return;
    }
    this.queue.push(item);
    this.sizes.push(size);
    this.queuedBytes += size;
    if (this.running) return;
    if (this.queue.length >= this.config.batchSize) this.start();
    else if (!this.timer) {
      this.timer = setTimeout(this.onTimer, this.config.flushIntervalMs);
      this.timer.unref();
    }
  }

  stats(): WriterStats {
    const stats: WriterStats = { queued: this.queue.length, queuedBytes: this.queuedBytes, ...this.counts, storageFull: this.storageFull };
    if (this.lastError !== undefined) stats.lastError = this.lastError;
    return stats;
  }

  /** Writes everything queued now (resolves when the queue is empty, or when the writer gives up on closing). */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.running) {
      if (!this.running) this.start();
      this.wake?.();
      await this.running;
      if (this.closed) break;
    }
  }

  /** Flushes within `closeTimeoutMs`, then drops what is left; later pushes are dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, this.config.closeTimeoutMs).unref());
    await Promise.race([this.flush(), deadline]);
    this.closed = true;
    this.wake?.();
    // A store that hangs must not keep the process (or the store's own close) waiting.
    this.inflight?.abort(Object.assign(new Error('recorder closed before the flush finished'), { code: 'FLUSH_TIMEOUT' }));
    if (this.queue.length > 0) this.drop(this.queue.length);
    this.queue = [];
    this.sizes = [];
    this.queuedBytes = 0;
    this.logNow();
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (!this.running && this.queue.length > 0) this.start();
  };

  private start(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
      // Records that arrived during the last flush wait for the next interval, or go now when a batch is full.
      if (this.queue.length > 0 && !this.closed) {
        if (this.queue.length >= this.config.batchSize || this.closing) this.start();
        else if (!this.timer) {
          this.timer = setTimeout(this.onTimer, this.config.flushIntervalMs);
          this.timer.unref();
        }
      }
    });
  }

  private async loop(): Promise<void> {
    let delay = this.config.retryDelayMs;
    while (this.queue.length > 0 && !this.closed) {
      const batch = this.queue.slice(0, this.config.batchSize);
      try {
        await this.writeWithDeadline(batch);
        this.dequeue(batch.length);
        this.counts.written += batch.length;
        this.storageFull = false;
        this.lastError = undefined;
        delay = this.config.retryDelayMs;
        if (!this.closing && this.queue.length < this.config.batchSize) break;
      } catch (err) {
        this.counts.flushFailures++;
        this.unlogged.failures++;
        this.unlogged.lastError = this.lastError = errorMessage(err);
        this.noteStorageFull(err);
        if (!this.sink.isTransient(err)) {
          // A batch the store rejects for good would block everything behind it.
          this.dequeue(batch.length);
          this.drop(batch.length);
        } else {
          this.counts.retries++;
          this.maybeLog();
          await this.sleep(delay);
          delay = Math.min(delay * 2, this.config.maxRetryDelayMs);
        }
      }
      this.maybeLog();
    }
  }

  /** One line when the storage turns full (at most one per log interval), so the operator learns why nothing is written. */
  private noteStorageFull(err: unknown): void {
    const full = this.sink.isStorageFull?.(err) ?? false;
    if (full && !this.storageFull && Date.now() - this.lastFullLog >= this.config.logIntervalMs) {
      this.lastFullLog = Date.now();
      this.config.logger?.warn('recorder store: storage is full; keeping records and retrying until there is room', {
        error: errorMessage(err), queued: this.queue.length, maxQueue: this.config.maxQueue, maxQueueBytes: this.config.maxQueueBytes,
      });
    }
    this.storageFull = full;
  }

  private dequeue(n: number): void {
    this.queue.splice(0, n);
    for (const size of this.sizes.splice(0, n)) this.queuedBytes -= size;
  }

  private async writeWithDeadline(batch: T[]): Promise<void> {
    const ac = new AbortController();
    this.inflight = ac;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = Object.assign(new Error(`flush took longer than ${this.config.flushTimeoutMs} ms`), { code: 'FLUSH_TIMEOUT' });
        ac.abort(err);
        reject(err);
      }, this.config.flushTimeoutMs);
    });
    const write = Promise.resolve().then(() => this.sink.write(batch, ac.signal));
    write.catch(() => undefined);
    try {
      await Promise.race([write, deadline]);
    } finally {
      clearTimeout(timer);
      this.inflight = undefined;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      t.unref();
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private drop(n: number): void {
    this.counts.dropped += n;
    this.unlogged.dropped += n;
    this.maybeLog();
  }

  private maybeLog(): void {
    if (Date.now() - this.lastLog >= this.config.logIntervalMs) this.logNow();
  }

  private logNow(): void {
    const { dropped, failures, lastError } = this.unlogged;
    if (dropped === 0 && failures === 0) return;
    this.lastLog = Date.now();
    this.unlogged = { dropped: 0, failures: 0, lastError: '' };
    this.config.logger?.warn('recorder store: records dropped or flushes failed', {
      droppedSinceLastLog: dropped, failedFlushesSinceLastLog: failures, lastError: lastError || undefined, stats: this.stats(),
    });
  }
}
