/** Keeps recording off the response path: calls the host's recorder in order per interception, never throws. */
import type { Logger } from 'winston';
import { errorMessage } from '../observability/logger';
import type {
  InterceptionEndedRecord, InterceptionRecord, ModelThoughtRecord, PromptUsageRecord, Recorder,
  TokenUsageRecord, ToolUsageRecord,
} from './types';

type RecordCall = () => void | Promise<void>;

/** Wraps a {@link Recorder}: failures are logged and counted, pending calls are tracked for `close()`. */
export class SafeRecorder {
  /** How many recorder calls threw or rejected. */
  failures = 0;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly recorder: Recorder | undefined, private readonly logger: Logger) {}

  get enabled(): boolean {
    return this.recorder !== undefined;
  }

  /** A recording for one interception; its calls reach the recorder in the order they were made. */
  open(): InterceptionRecording {
    return new InterceptionRecording(this.recorder ? this : undefined, this.recorder);
  }

  /** Waits for every pending call, then closes the recorder. */
  async close(): Promise<void> {
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
  chain(tail: Promise<void>, what: string, call: RecordCall): Promise<void> {
    const next = tail.then(call).catch((err: unknown) => this.fail(what, err));
    this.pending.add(next);
    void next.finally(() => this.pending.delete(next));
    return next;
  }

  private fail(what: string, err: unknown): void {
    this.failures++;
    this.logger.error('recorder call failed', { call: what, error: errorMessage(err) });
  }
}

const settled = Promise.resolve();

/** The records of one interception: one start, at most one end, usage in between. */
export class InterceptionRecording {
  private tail: Promise<void> = settled;
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

  get hasEnded(): boolean {
    return this.ended;
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
    if (!this.owner) return;
    this.tail = this.owner.chain(this.tail, what, call);
  }
}
