/** Watches a Responses SSE stream relayed without injection: every byte forwarded, records taken from the events. */
import type { CreatedResponses } from '../../ownership/ownership-guard';
import type { SseEvent } from '../../streaming/sse-decoder';
import { recordTurn } from '../record-turn';
import type { RecordSink, StreamObserver, UpstreamReportedError } from '../api';
import { TERMINAL, errorEvent, parseEvent, reportedError } from './events';
import { itemIdsOf } from './item-ids';
import { turnOfResponse } from './output-items';
import { UNBOUNDED, type AccumulationBudget } from '../../streaming/accumulation-budget';
import { isObject } from '../../json/parse-object';

const NO_INJECTED: ReadonlySet<string> = new Set();

export class ResponsesStreamObserver implements StreamObserver {
  completed = false;
  upstreamError: UpstreamReportedError | undefined;
  private lastSequence = -1;
  private response: Record<string, unknown> | undefined;
  /** Finished items, kept so a stream cut before its terminal event still records what it produced. */
  private readonly items: unknown[] = [];
  private finished = false;
  /** The ending event and every event after it, withheld until the items are owned. */
  private held: Buffer[] | undefined;
  private owning: Promise<void> | undefined;

  /** `created`: the upstream stores this response; its items are owned before its ending event is relayed. */
  constructor(private readonly sink: RecordSink, private readonly budget: AccumulationBudget = UNBOUNDED, private created?: CreatedResponses) {}

  accept(event: SseEvent): Buffer | undefined {
    const parsed = parseEvent(event);
    if (parsed) this.observe(parsed.type, parsed.data, event);
    if (this.held) {
      this.held.push(event.raw); // nothing overtakes the withheld ending event
      return undefined;
    }
    const ending = parsed && this.created && (TERMINAL.has(parsed.type) || parsed.type === 'response.failed');
    return ending && this.own(event) ? undefined : event.raw;
  }

  private observe(type: string, data: Record<string, unknown>, event: SseEvent): void {
    if (typeof data.sequence_number === 'number') this.lastSequence = data.sequence_number;
    if (isObject(data.response)) this.response = data.response;
    if (type === 'response.output_item.done' && isObject(data.item)) {
      this.budget.charge(event.data!.length);
      this.items.push(data.item);
    }
    else if (TERMINAL.has(type)) this.completed = true;
    else this.upstreamError ??= reportedError(type, data);
  }

  /**
   * Starts writing the owner of the response's items (those its ending event lists, and every finished one) and
   * withholds the event until it is written; false when there is nothing to own. Once per stream.
   */
  private own(event: SseEvent): boolean {
    const output = Array.isArray(this.response?.output) ? this.response!.output as unknown[] : [];
    const ids = itemIdsOf(output, this.items);
    const created = this.created!;
    this.created = undefined;
    if (ids.length === 0) return false;
    this.owning = created.items(ids);
    // Awaited by release(); a relay that failed before it must not leave the rejection unhandled.
    this.owning.catch(() => undefined);
    this.held = [event.raw];
    return true;
  }

  release(): Promise<Buffer> | undefined {
    const held = this.held;
    if (!held) return undefined;
    this.held = undefined;
    return this.owning!.then(() => (held.length === 1 ? held[0] : Buffer.concat(held)));
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
