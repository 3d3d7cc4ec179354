/** The records of one interception: one start, at most one end, usage in between, delivered in that order. */
import type {
  InterceptionEndedRecord, InterceptionRecord, ModelThoughtRecord, PromptUsageRecord, Recorder,
  TokenUsageRecord, ToolUsageRecord, PassthroughRecord,
} from './types';
import type { ContentShaper } from './content-mode';

/** A call to the host's recorder, not made yet; it gets its record as queued (capped, see record-limits). */
export type RecordCall<T = never> = (record: T) => void | Promise<void>;

/** Why a call was never made. */
export type DropReason = 'queue full' | 'queue bytes full' | 'closed' | 'after end';

/** What an {@link InterceptionRecording} hands its calls to (the {@link SafeRecorder}). */
export interface RecordingOwner {
  /** Queues `call` with `record`; false when it was dropped. `always` admits it past the queue bounds (ends of admitted starts). */
  enqueue<T extends object>(recording: InterceptionRecording, what: string, record: T, call: RecordCall<T>, always: boolean): boolean;
  /** Counts a call that will never be made. */
  drop(what: string, reason: DropReason): void;
}

/** A queued call that has not reached the recorder yet. */
export interface QueuedCall {
  recording: InterceptionRecording;
  what: string;
  record: object;
  call: RecordCall;
  /** What the record counts against the queue's byte bound. */
  bytes: number;
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
  /** What this interception's records keep of their content (`recordContent`); undefined: all of it. */
  content: ContentShaper | undefined;
  /** Upstream calls whose answer carried no usage: said in the end record, never recorded as zero tokens. */
  private unreported = 0;

  constructor(private readonly owner: RecordingOwner | undefined, private readonly recorder: Recorder | undefined) {}

  start(r: InterceptionRecord): void {
    if (this.started) return;
    this.started = true;
    if (this.owner && !this.owner.enqueue(this, 'recordInterception', r, (q) => this.recorder!.recordInterception(q), false)) this.dropped = true;
  }

  /** Records the end once; later calls are ignored so every path can call it safely. */
  end(r: InterceptionEndedRecord): void {
    if (!this.started || this.ended) return;
    this.ended = true;
    if (this.unreported > 0) r = { ...r, extra: { ...r.extra, usageNotReported: this.unreported } };
    // Past the queue bound too: an admitted start always gets its end (at most one per request in flight).
    this.push('recordInterceptionEnded', r, (q) => this.recorder!.recordInterceptionEnded(q), true);
  }

  tokenUsage(r: TokenUsageRecord): void {
    this.push('recordTokenUsage', r, (q) => this.recorder!.recordTokenUsage(q), false);
  }

  /** An upstream call answered without usage: it gets no token record, and the end record's `extra.usageNotReported` counts it. */
  usageNotReported(): void {
    this.unreported++;
  }

  promptUsage(r: PromptUsageRecord): void {
    this.push('recordPromptUsage', r, (q) => this.recorder!.recordPromptUsage(q), false);
  }

  toolUsage(r: ToolUsageRecord): void {
    this.push('recordToolUsage', r, (q) => this.recorder!.recordToolUsage(q), false);
  }

  modelThought(r: ModelThoughtRecord): void {
    const recorder = this.recorder;
    if (!recorder?.recordModelThought) return;
    this.push('recordModelThought', r, (q) => recorder.recordModelThought!(q), false);
  }

  /** A passthrough call: a recording of its own holding this one record. */
  passthrough(r: PassthroughRecord): void {
    const recorder = this.recorder;
    if (!recorder?.recordPassthrough) return;
    this.push('recordPassthrough', r, (q) => recorder.recordPassthrough!(q), false);
  }

  private push<T extends object>(what: string, record: T, call: RecordCall<T>, always: boolean): void {
    const owner = this.owner;
    if (!owner) return;
    if (this.dropped) return owner.drop(what, 'queue full');
    // Usage that arrives after a forced end (shutdown) would reach the recorder after the end record.
    if (this.ended && what !== 'recordInterceptionEnded') return owner.drop(what, 'after end');
    owner.enqueue(this, what, record, call, always);
  }
}
