/** The records of one interception: one start, at most one end, usage in between, delivered in that order. */
import type {
  InterceptionEndedRecord, InterceptionRecord, ModelThoughtRecord, PromptUsageRecord, Recorder,
  TokenUsageRecord, ToolUsageRecord, PassthroughRecord,
} from './types';

/** A call to the host's recorder, not made yet. */
export type RecordCall = () => void | Promise<void>;

/** Hands one record to the host's recorder. */
export type Deliver<R> = (record: R) => void | Promise<void>;

/** What an {@link InterceptionRecording} hands its calls to (the {@link SafeRecorder}). */
export interface RecordingOwner {
  /** Queues the delivery of `record`; false when it was dropped. `always` admits it past the queue bound (ends of admitted starts). */
  enqueue<R extends object>(recording: InterceptionRecording, what: string, record: R, deliver: Deliver<R>, always: boolean): boolean;
  /** Counts a call that will never be made. */
  drop(what: string, reason: 'queue full' | 'closed' | 'after end'): void;
}

/** A queued call that has not reached the recorder yet. */
export interface QueuedCall {
  recording: InterceptionRecording;
  what: string;
  call: RecordCall;
  /** Set when it was waiting behind an earlier call of its interception and is now next in line. */
  resumed?: boolean;
}

export class InterceptionRecording {
  /** @internal An earlier call of this interception is running (or next in line); later ones wait. */
  busy = false;
  /** @internal Calls waiting for the running one, in order. Holds nothing once they ran or were dropped. */
  waiting: QueuedCall[] | undefined;
  private started = false;
  private ended = false;
  /** The start was dropped: the rest would describe an interception the recorder never saw. */
  private dropped = false;
  /** The client's own key when this interception uses it: masked in its records like a pool key. */
  byokKey: string | undefined;

  constructor(private readonly owner: RecordingOwner | undefined, private readonly recorder: Recorder | undefined) {}

  start(r: InterceptionRecord): void {
    if (this.started) return;
    this.started = true;
    if (this.owner && !this.owner.enqueue(this, 'recordInterception', r, (x) => this.recorder!.recordInterception(x), false)) this.dropped = true;
  }

  /** Records the end once; later calls are ignored so every path can call it safely. */
  end(r: InterceptionEndedRecord): void {
    if (!this.started || this.ended) return;
    this.ended = true;
    // Past the queue bound too: an admitted start always gets its end (at most one per request in flight).
    this.push('recordInterceptionEnded', r, (x) => this.recorder!.recordInterceptionEnded(x), true);
  }

  tokenUsage(r: TokenUsageRecord): void {
    this.push('recordTokenUsage', r, (x) => this.recorder!.recordTokenUsage(x), false);
  }

  promptUsage(r: PromptUsageRecord): void {
    this.push('recordPromptUsage', r, (x) => this.recorder!.recordPromptUsage(x), false);
  }

  toolUsage(r: ToolUsageRecord): void {
    this.push('recordToolUsage', r, (x) => this.recorder!.recordToolUsage(x), false);
  }

  modelThought(r: ModelThoughtRecord): void {
    const recorder = this.recorder;
    if (!recorder?.recordModelThought) return;
    this.push('recordModelThought', r, (x) => recorder.recordModelThought!(x), false);
  }

  /** A passthrough call: a recording of its own holding this one record. */
  passthrough(r: PassthroughRecord): void {
    const recorder = this.recorder;
    if (!recorder?.recordPassthrough) return;
    this.push('recordPassthrough', r, (x) => recorder.recordPassthrough!(x), false);
  }

  private push<R extends object>(what: string, record: R, deliver: Deliver<R>, always: boolean): void {
    const owner = this.owner;
    if (!owner) return;
    if (this.dropped) return owner.drop(what, 'queue full');
    // Usage that arrives after a forced end (shutdown) would reach the recorder after the end record.
    if (this.ended && what !== 'recordInterceptionEnded') return owner.drop(what, 'after end');
    owner.enqueue(this, what, record, deliver, always);
  }
}
