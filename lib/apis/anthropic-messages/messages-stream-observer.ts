/** Watches a relayed Messages stream (nothing injected): every event reaches the client unchanged; usage, tools and thinking are recorded. */
import type { SseEvent } from '../../streaming/sse-decoder';
import { recordTurn } from '../record-turn';
import type { RecordSink, StreamObserver, UpstreamReportedError } from '../api';
import { MessageAccumulator } from './message-accumulator';
import { messageTurn } from './message-turn';
import { UNBOUNDED, type AccumulationBudget } from '../../streaming/accumulation-budget';
import { type JsonObject } from '../../json/parse-object';

const NONE: ReadonlySet<string> = new Set();

/** The upstream's `error` event as a reported error (Anthropic: `{"type":"error","error":{"type","message"}}`). */
export function reportedError(event: JsonObject): UpstreamReportedError {
  const e = (event.error && typeof event.error === 'object' ? event.error : {}) as JsonObject;
  return { message: typeof e.message === 'string' ? e.message : 'upstream error', type: typeof e.type === 'string' ? e.type : undefined };
}

/** Parses an event's data as a JSON object; `undefined` for anything else (relayed as it came). */
export function eventJson(event: SseEvent): JsonObject | undefined {
  if (event.data === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(event.data);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

export class MessagesStreamObserver implements StreamObserver {
  completed = false;
  upstreamError: UpstreamReportedError | undefined;
  private readonly accumulator: MessageAccumulator;
  private finished = false;

  constructor(private readonly sink: RecordSink, budget: AccumulationBudget = UNBOUNDED) {
    this.accumulator = new MessageAccumulator(budget);
  }

  accept(event: SseEvent): Buffer {
    const parsed = eventJson(event);
    if (!parsed) return event.raw;
    if (parsed.type === 'error') this.upstreamError = reportedError(parsed);
    else if (parsed.type === 'message_stop') this.completed = true;
    else this.accumulator.add(parsed);
    return event.raw;
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const a = this.accumulator;
    recordTurn(this.sink, messageTurn(a.id, a.content(), a.usage, NONE, (b) => a.argumentsOf(b)));
  }
}
