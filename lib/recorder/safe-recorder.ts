/** Keeps recording off the response path: calls the host's recorder in order per interception, never throws. */
import type { Logger } from 'winston';
import { errorMessage } from '../observability/logger';
import type {
  InterceptionEndedRecord, InterceptionRecord, ModelThoughtRecord, PromptUsageRecord, Recorder,
  TokenUsageRecord, ToolUsageRecord,
} from './types';

type RecordCall = () => void | Promise<void>;

interface QueuedCall {
  recording: InterceptionRecording;
  what: string;
  call: RecordCall;
}

function isThenable(v: unknown): v is PromiseLike<void> {
  return !!v && typeof (v as PromiseLike<void>).then === 'function';
}

/**
 * Wraps a {@link Recorder}. Calls are queued and run together after the current I/O turn (so a slow sync
 * recorder never sits between the upstream and the client); an interception whose previous call is still
 * pending (async recorder) has its next call chained behind it, so its records arrive in order.
 * Sync recorders cost no promise at all. Failures are logged and counted.
 */
export class SafeRecorder {
  /** How many recorder calls threw or rejected. */
  failures = 0;
  private queue: QueuedCall[] = [];
  private scheduled = false;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly recorder: Recorder | undefined, private readonly logger: Logger) {}

  get enabled(): boolean {
    return this.recorder !== undefined;
  }

  /** A recording for one interception; its calls reach the recorder in the order they were made. */
  open(): InterceptionRecording {
    return new InterceptionRecording(this.recorder ? this : undefined, this.recorder);
  }

  /** Runs what is queued, waits for every pending call, then closes the recorder. */
  async close(): Promise<void> {
    this.flush();
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    if (this.recorder?.close) {
      try {
        await this.recorder.close();
      } catch (err) {
        this.fail('close', err);
      }
    }
  }

  /** @internal */
  enqueue(recording: InterceptionRecording, what: string, call: RecordCall): void {
    this.queue.push({ recording, what, call });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    for (const item of batch) this.run(item);
  };

  private run({ recording, what, call }: QueuedCall): void {
    const before = recording.tail;
    if (before) {
      this.track(recording, before.then(call).then(undefined, (err: unknown) => this.fail(what, err)));
      return;
    }
    let result: void | Promise<void>;
    try {
      result = call();
    } catch (err) {
      this.fail(what, err);
      return;
    }
    if (isThenable(result)) this.track(recording, Promise.resolve(result).then(undefined, (err: unknown) => this.fail(what, err)));
  }

  private track(recording: InterceptionRecording, promise: Promise<void>): void {
    recording.tail = promise;
    this.pending.add(promise);
    void promise.then(() => {
      this.pending.delete(promise);
      if (recording.tail === promise) recording.tail = undefined;
    });
  }

  private fail(what: string, err: unknown): void {
    this.failures++;
    this.logger.error('recorder call failed', { call: what, error: errorMessage(err) });
  }
}

/** The records of one interception: one start, at most one end, usage in between. */
export class InterceptionRecording {
  /** @internal The last still-pending async call of this interception. */
  tail: Promise<void> | undefined;
  private started = false;
  private ended = false;

  constructor(private readonly owner: SafeRecorder | undefined, private readonly recorder: Recorder | undefined) {}

  start(r: InterceptionRecord): void {
    if (this.started) return;
    this.started = true;
    this.push('recordInterception', () => this.recorder!.recordInterception(r));
  }

  /** Records the end once; later calls are ignored so every path can call it safely. */
  end(r: InterceptionEndedRecord): void {
    if (!this.started || this.ended) return;
    this.ended = true;
    this.push('recordInterceptionEnded', () => this.recorder!.recordInterceptionEnded(r));
  }

  tokenUsage(r: TokenUsageRecord): void {
    this.push('recordTokenUsage', () => this.recorder!.recordTokenUsage(r));
  }

  promptUsage(r: PromptUsageRecord): void {
    this.push('recordPromptUsage', () => this.recorder!.recordPromptUsage(r));
  }

  toolUsage(r: ToolUsageRecord): void {
    this.push('recordToolUsage', () => this.recorder!.recordToolUsage(r));
  }

  modelThought(r: ModelThoughtRecord): void {
    const recorder = this.recorder;
    if (!recorder?.recordModelThought) return;
    this.push('recordModelThought', () => recorder.recordModelThought!(r));
  }

  private push(what: string, call: RecordCall): void {
    this.owner?.enqueue(this, what, call);
  }
}
