/** Keeps recording off the response path: bounded, deadline-bound calls to the host's recorder, in order per interception; never throws. */
import type { Logger } from 'winston';
import { settlesWithin } from '../http/deadline';
import { LogThrottle } from '../observability/log-throttle';
import { errorMessage } from '../observability/logger';
import type { Redactor } from '../redaction/redactor';
import { redactRecord } from '../redaction/record-redaction';
import { InterceptionRecording, type DropReason, type QueuedCall, type RecordCall, type RecordingOwner } from './interception-recording';
import { limitRecord } from './record-limits';
import type { Recorder } from './types';

export { InterceptionRecording } from './interception-recording';

/** Bounds of a {@link SafeRecorder}; createBridge passes `recorderTimeoutMs`, `recorderQueueMax`, `recorderQueueMaxBytes`, `maxRecordedTextBytes`. */
export interface SafeRecorderLimits {
  /** Deadline of one call, and of the flush and of `recorder.close()` at shutdown, in ms. Defaults to 10,000. */
  timeoutMs: number;
  /** Most calls queued or running at once (timed-out calls count until they settle). Defaults to 10,000. */
  queueMax: number;
  /** Most bytes of records queued or running at once (approximate, see record-limits). Defaults to 67,108,864 (64 MiB). */
  queueMaxBytes: number;
  /** Most UTF-8 bytes one record keeps of each text; past it the text is cut and marked. Defaults to 1,048,576 (1 MiB). */
  maxRecordedTextBytes: number;
}

const DEFAULT_LIMITS: SafeRecorderLimits = { timeoutMs: 10_000, queueMax: 10_000, queueMaxBytes: 64 * 1024 * 1024, maxRecordedTextBytes: 1024 * 1024 };

/** Repeated recorder trouble is logged at most once per this many ms per kind, with the count held back. */
export const RECORDER_LOG_INTERVAL_MS = 10_000;

function isThenable(v: unknown): v is PromiseLike<void> {
  return !!v && typeof (v as PromiseLike<void>).then === 'function';
}

/**
 * One async call in progress. It holds neither the record nor its interception once it is over or timed out,
 * so a recorder promise that never settles retains only this small object.
 */
class RunningCall {
  timer: NodeJS.Timeout | undefined;
  /** performance.now() when the call started, when someone measures it. */
  startedAt = 0;
  constructor(private readonly owner: SafeRecorder, public recording: InterceptionRecording | undefined, readonly what: string, readonly bytes: number) {}
  readonly resolved = (): void => this.owner.settled(this, false, undefined);
  readonly rejected = (err: unknown): void => this.owner.settled(this, true, err);
  readonly expired = (): void => this.owner.expired(this);
}

/**
 * Wraps a {@link Recorder}. Calls are queued and made together in a `setImmediate` batch, after the I/O turn
 * that produced them (never between an upstream chunk and the client write relaying it); an interception
 * whose previous call is still pending waits for it (or for its deadline), so its records arrive in order.
 * Sync recorders cost no promise and no timer. Failures, timeouts and drops are counted and logged, throttled.
 */
export class SafeRecorder implements RecordingOwner {
  /** Calls that threw or rejected (before their deadline). */
  failures = 0;
  /** Calls that had not settled by their deadline. */
  timeouts = 0;
  /** Calls never made: queue full, the interception's start dropped, or the recorder closed. */
  dropped = 0;
  /** Admitted and not settled: queued, running, or timed out and still unsettled. What the bound counts. */
  private pendingCount = 0;
  /** What the admitted and unsettled calls' records weigh: what `queueMaxBytes` bounds. */
  private pendingSize = 0;
  /** Admitted and neither done nor timed out: what a flush waits for. */
  private unfinished = 0;
  private batch: QueuedCall[] = [];
  private scheduled = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private onIdle: (() => void) | undefined;
  /** Told how long each recorder call took to settle, in ms (for metrics); none by default. */
  onCallSettled: ((ms: number) => void) | undefined;
  private readonly limits: SafeRecorderLimits;
  private readonly throttle = new LogThrottle(RECORDER_LOG_INTERVAL_MS);

  /** `redactor`: the bridge's redaction rule, applied to every record before it is queued. */
  constructor(private readonly recorder: Recorder | undefined, private readonly logger: Logger, limits?: Partial<SafeRecorderLimits>,
    private readonly redactor?: Redactor) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  get enabled(): boolean {
    return this.recorder !== undefined;
  }

  /** Calls queued, running, or timed out and not settled yet. */
  get pending(): number {
    return this.pendingCount;
  }

  /** Approximate bytes of the records of pending calls. */
  get pendingBytes(): number {
    return this.pendingSize;
  }

  /** A recording for one interception; its calls reach the recorder in the order they were made. */
  open(): InterceptionRecording {
    return new InterceptionRecording(this.recorder ? this : undefined, this.recorder);
  }

  /**
   * Makes what is queued and waits for it, at most `timeoutMs`; then stops admitting calls (later ones are
   * dropped) and calls `recorder.close()`, waiting for it at most `timeoutMs` more. Never rejects.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const { timeoutMs } = this.limits;
    // The flush deadline is armed before the batch starts its calls' own timeouts, so it always passes first:
    // what is queued behind a call that never settles is then dropped, not started as the deadline passes.
    let wake!: () => void;
    const idle = new Promise<void>((resolve) => (wake = resolve));
    this.onIdle = wake;
    const flushed = settlesWithin(idle, timeoutMs);
    this.runBatch();
    if (this.unfinished === 0) {
      this.onIdle = undefined;
      wake();
    }
    if (!(await flushed)) {
      this.logger.warn('recorder flush deadline passed; dropping what is left', { unfinished: this.unfinished, timeoutMs });
    }
    this.closed = true;
    this.runBatch();
    if (!this.recorder?.close) return;
    try {
      const recorder = this.recorder;
      if (!(await settlesWithin(Promise.resolve().then(() => recorder.close!()), timeoutMs))) {
        this.logger.warn('recorder.close() did not finish in time', { timeoutMs });
      }
    } catch (err) {
      this.fail('close', err);
    }
  }

  /** @internal */
  enqueue<T extends object>(recording: InterceptionRecording, what: string, record: T, call: RecordCall<T>, always: boolean): boolean {
    if (this.closed) {
      this.drop(what, 'closed');
      return false;
    }
    // Keys never reach a store (nor the dashboard); then one record's texts are capped.
    const safe = redactRecord(record, this.redactor, recording.byokKey);
    // Shaped whole, before capping: a hash or a length is of the text as it came (keys already masked).
    const shaped = recording.content ? recording.content.shape(what, safe) : safe;
    const limited = limitRecord(what, shaped, this.limits.maxRecordedTextBytes);
    if (!always && this.pendingCount >= this.limits.queueMax) {
      this.drop(what, 'queue full');
      return false;
    }
    if (!always && this.pendingSize + limited.bytes > this.limits.queueMaxBytes) {
      this.drop(what, 'queue bytes full');
      return false;
    }
    this.pendingCount++;
    this.pendingSize += limited.bytes;
    this.unfinished++;
    this.schedule({ recording, what, record: limited.record, call: call as RecordCall, bytes: limited.bytes });
    return true;
  }

  /** @internal */
  drop(what: string, reason: DropReason): void {
    this.dropped++;
    const suppressed = this.throttle.allow(`dropped ${reason}`);
    if (suppressed !== false) {
      const { queueMax, queueMaxBytes } = this.limits;
      this.logger.warn('recorder calls dropped', { call: what, reason, queueMax, queueMaxBytes, suppressed });
    }
  }

  /** @internal An async call settled, before or after its deadline. */
  settled(run: RunningCall, failed: boolean, err: unknown): void {
    this.pendingCount--;
    this.pendingSize -= run.bytes;
    if (run.startedAt !== 0) this.onCallSettled?.(performance.now() - run.startedAt);
    const recording = run.recording;
    if (!recording) return; // timed out earlier: already counted, and its interception moved on
    clearTimeout(run.timer);
    run.timer = undefined;
    run.recording = undefined;
    if (failed) this.fail(run.what, err);
    this.finish(recording);
  }

  /** @internal An async call reached its deadline: its interception's next call may go. */
  expired(run: RunningCall): void {
    const recording = run.recording;
    if (!recording) return;
    run.timer = undefined;
    run.recording = undefined;
    this.timeouts++;
    const suppressed = this.throttle.allow('timeout');
    if (suppressed !== false) {
      this.logger.warn('recorder call timed out', { call: run.what, timeoutMs: this.limits.timeoutMs, suppressed });
    }
    this.finish(recording);
  }

  private schedule(item: QueuedCall): void {
    this.batch.push(item);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.runBatch);
    }
  }

  private readonly runBatch = (): void => {
    this.scheduled = false;
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    for (const item of batch) {
      if (this.closed) {
        this.pendingCount--;
        this.pendingSize -= item.bytes;
        this.drop(item.what, 'closed');
        this.finish(item.recording);
      } else if (item.recording.busy && !item.resumed) {
        (item.recording.waiting ??= []).push(item);
      } else {
        this.start(item);
      }
    }
  };

  private start(item: QueuedCall): void {
    const { recording, what, bytes } = item;
    let result: void | PromiseLike<void>;
    const startedAt = this.onCallSettled ? performance.now() : 0;
    try {
      result = item.call(item.record as never);
    } catch (err) {
      this.pendingCount--;
      this.pendingSize -= bytes;
      this.fail(what, err);
      this.finish(recording);
      return;
    }
    if (!isThenable(result)) {
      this.pendingCount--;
      this.pendingSize -= bytes;
      if (startedAt !== 0) this.onCallSettled?.(performance.now() - startedAt);
      this.finish(recording);
      return;
    }
    recording.busy = true;
    const run = new RunningCall(this, recording, what, bytes);
    run.startedAt = startedAt;
    run.timer = setTimeout(run.expired, this.limits.timeoutMs);
    run.timer.unref();
    Promise.resolve(result).then(run.resolved, run.rejected);
  }

  /** One admitted call is over (done, failed, timed out or dropped): the next of its interception may go. */
  private finish(recording: InterceptionRecording): void {
    const next = recording.waiting?.shift();
    if (next) {
      // Through the batch, not here: this may run inside a promise reaction, between a chunk and its write.
      next.resumed = true;
      this.schedule(next);
    } else {
      recording.busy = false;
      recording.waiting = undefined;
    }
    if (--this.unfinished === 0 && this.onIdle) {
      const wake = this.onIdle;
      this.onIdle = undefined;
      wake();
    }
  }

  private fail(what: string, err: unknown): void {
    this.failures++;
    const suppressed = this.throttle.allow(`failed ${what}`);
    if (suppressed !== false) this.logger.error('recorder call failed', { call: what, error: errorMessage(err), suppressed });
  }
}
