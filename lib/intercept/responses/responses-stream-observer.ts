/** Watches a Responses SSE stream relayed without injection: every byte forwarded, records taken from the events. */
import type { SseEvent } from '../../streaming/sse-decoder';
import { recordTurn } from '../../tools/record-turn';
import type { RecordSink, StreamObserver, UpstreamReportedError } from '../api';
import { TERMINAL, errorEvent, parseEvent, reportedError } from './events';
import { turnOfResponse } from './output-items';
import { UNBOUNDED, type AccumulationBudget } from '../../streaming/accumulation-budget';
import { isObject } from '../parse-object';

const NO_INJECTED: ReadonlySet<string> = new Set();

export class ResponsesStreamObserver implements StreamObserver {
  completed = false;
  upstreamError: UpstreamReportedError | undefined;
  private lastSequence = -1;
  private response: Record<string, unknown> | undefined;
  /** Finished items, kept so a stream cut before its terminal event still records what it produced. */
  private readonly items: unknown[] = [];
  private finished = false;

  constructor(private readonly sink: RecordSink, private readonly budget: AccumulationBudget = UNBOUNDED) {}

  accept(event: SseEvent): Buffer {
    const parsed = parseEvent(event);
    if (!parsed) return event.raw; // not ours to judge: relayed as it came
    const { type, data } = parsed;
    if (typeof data.sequence_number === 'number') this.lastSequence = data.sequence_number;
    if (isObject(data.response)) this.response = data.response;
    if (type === 'response.output_item.done' && isObject(data.item)) {
      this.budget.charge(event.data!.length);
      this.items.push(data.item);
    }
    else if (TERMINAL.has(type)) this.completed = true;
    else this.upstreamError ??= reportedError(type, data);
    return event.raw;
  }

  errorEvent(error: { message: string; code: string | null }): string {
    return errorEvent(error, this.lastSequence + 1);
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const output = this.completed && Array.isArray(this.response?.output) ? this.response!.output as unknown[] : this.items;
    recordTurn(this.sink, turnOfResponse(this.response, output, NO_INJECTED));
  }
}
