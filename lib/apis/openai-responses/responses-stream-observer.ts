/**
 * Watches one streamed Responses call. Without injected tools every event goes as it came (the ending event
 * withheld only until the owner of what it lists is written). With them (the loop) it hides injected
 * `function_call` items, renumbers `output_index` and `sequence_number` across calls, shows one
 * `response.created`, holds the terminal event.
 */
import type { SseEvent } from '../../streaming/sse-decoder';
import type { AccumulationBudget } from '../../streaming/accumulation-budget';
import { encodeSseEvent } from '../../streaming/sse-encoder';
import type { StreamObserver, Turn } from '../conversation';
import type { UpstreamReportedError } from '../../errors';
import { sumAll } from '../sum-usage';
import { TERMINAL, errorEvent, parseEvent, reportedError } from './events';
import { isInjectedCall, turnOfResponse } from './output-items';
import { hideInjectedToolsEcho } from './tools-echo';
import { type JsonObject, isObject } from '../../json/parse-object';
import type { CreatedResponses } from '../../ownership/ownership-guard';
import { itemIdsOf } from './item-ids';

/** What the observers (and blocking answers) of one request share across the loop's calls. */
export interface ResponsesStreamState {
  /** Names of the injected tools; empty: the events are relayed as they come. */
  readonly injected: ReadonlySet<string>;
  /** Sequence number of the next event the client gets (taken from the first event of the first call; without injected tools, the last event's plus one). */
  nextSequence: number | undefined;
  /** Client-side `output_index` of the next visible item. */
  nextIndex: number;
  /** The client-visible output items of every call so far, in order. */
  readonly visible: unknown[];
  /** Raw usage of every call so far. */
  readonly usages: unknown[];
  /** Bounds what the observers of the request keep (output items), over every call. */
  readonly budget?: AccumulationBudget;
  /**
   * Owns the items of every call (hidden ones included) before the loop goes on, or (without injected tools) before
   * the ending event is relayed; absent when nothing is stored.
   */
  readonly created?: CreatedResponses;
}

/** Lifecycle events only the first call shows: the client sees one response begin. */
const OPENING = new Set(['response.created', 'response.queued', 'response.in_progress']);
const HIDDEN = -1;
const EMPTY = Buffer.alloc(0);

export class ResponsesStreamObserver implements StreamObserver {
  completed = false;
  upstreamError: UpstreamReportedError | undefined;
  private response: JsonObject | undefined;
  /** Upstream `output_index` → client `output_index`, or HIDDEN. */
  private readonly indexes = new Map<number, number>();
  /** Ids of the hidden (injected) items of this call. */
  private readonly hiddenItems = new Set<string>();
  private readonly doneItems: unknown[] = [];
  private outputs: unknown[] | undefined;
  private hidSome = false;
  private held: { event: SseEvent; data: JsonObject } | undefined;
  private result: Turn | undefined;
  /** No injected tools: every event as it came, nothing held for the loop. */
  private readonly plain: boolean;
  /** Without injected tools: the ending event and every event after it, withheld until the items are owned. */
  private withheld: Buffer[] | undefined;
  private owning: Promise<void> | undefined;
  /** Without injected tools: who still has to own this response's items before its ending event is relayed. */
  private created: CreatedResponses | undefined;

  constructor(private readonly state: ResponsesStreamState, private readonly iteration: number) {
    this.plain = state.injected.size === 0;
    if (this.plain) this.created = state.created;
  }

  accept(event: SseEvent): Buffer | undefined {
    if (this.plain) return this.relay(event);
    const parsed = parseEvent(event);
    if (!parsed) return event.raw; // malformed: relayed as it came, it takes no sequence number
    const { type, data } = parsed;
    if (isObject(data.response)) this.response = data.response;
    if (OPENING.has(type) && this.iteration > 0) return undefined;
    if (TERMINAL.has(type)) return this.hold(event, data);
    this.upstreamError ??= reportedError(type, data);
    if (this.unshowable(data)) {
      this.hidSome = true;
      return undefined;
    }
    let changed = false;
    if (typeof data.output_index === 'number') {
      if (!this.indexes.has(data.output_index)) {
        // An item is judged when it appears (`added`, or `done` from an upstream that skipped `added`); events of an
        // item not seen yet cannot be judged, so they are withheld: they could be an injected call's arguments.
        if (type !== 'response.output_item.added' && type !== 'response.output_item.done') {
          this.hidSome = true;
          return undefined;
        }
        const hidden = isInjectedCall(data.item, this.state.injected);
        if (hidden && isObject(data.item) && typeof data.item.id === 'string') this.hiddenItems.add(data.item.id);
        this.indexes.set(data.output_index, hidden ? HIDDEN : this.state.nextIndex++);
      }
      const clientIndex = this.indexes.get(data.output_index);
      if (type === 'response.output_item.done' && isObject(data.item)) {
        this.state.budget?.charge(event.data!.length);
        this.doneItems.push(data.item);
      }
      if (clientIndex === HIDDEN) {
        this.hidSome = true;
        return undefined;
      }
      if (clientIndex !== undefined && clientIndex !== data.output_index) {
        data.output_index = clientIndex;
        changed = true;
      }
    }
    if (this.renumber(data)) changed = true;
    if (hideInjectedToolsEcho(data.response, this.state.injected)) changed = true;
    return changed ? Buffer.from(encodeSseEvent({ event: event.event, data: JSON.stringify(data) })) : event.raw;
  }

  /** An event without injected tools: observed, and relayed as it came unless the items of the response must be owned first. */
  private relay(event: SseEvent): Buffer | undefined {
    const parsed = parseEvent(event);
    if (parsed) this.observePlain(parsed.type, parsed.data, event);
    if (this.withheld) {
      this.withheld.push(event.raw); // nothing overtakes the withheld ending event
      return undefined;
    }
    const ending = parsed && this.created && (TERMINAL.has(parsed.type) || parsed.type === 'response.failed');
    return ending && this.own(event) ? undefined : event.raw;
  }

  private observePlain(type: string, data: JsonObject, event: SseEvent): void {
    if (typeof data.sequence_number === 'number') this.state.nextSequence = data.sequence_number + 1;
    if (isObject(data.response)) this.response = data.response;
    if (type === 'response.output_item.done' && isObject(data.item)) {
      this.state.budget?.charge(event.data!.length);
      this.doneItems.push(data.item);
    } else if (TERMINAL.has(type)) {
      this.completed = true;
    } else {
      this.upstreamError ??= reportedError(type, data);
    }
  }

  /**
   * Starts writing the owner of the response's items (those its ending event lists, and every finished one) and
   * withholds the event until it is written; false when there is nothing to own. Once per stream.
   */
  private own(event: SseEvent): boolean {
    const output = Array.isArray(this.response?.output) ? this.response!.output as unknown[] : [];
    const ids = itemIdsOf(output, this.doneItems);
    const created = this.created!;
    this.created = undefined;
    if (ids.length === 0) return false;
    this.owning = created.items(ids);
    // Awaited by release(); a relay that failed before it must not leave the rejection unhandled.
    this.owning.catch(() => undefined);
    this.withheld = [event.raw];
    return true;
  }

  release(): Promise<Buffer> | undefined {
    const held = this.withheld;
    if (!held) return undefined;
    this.withheld = undefined;
    return this.owning!.then(() => (held.length === 1 ? held[0] : Buffer.concat(held)));
  }

  /**
   * An event of an item that names no number `output_index`, or that names a hidden item by id, cannot be shown:
   * it could carry an injected call's arguments whatever index it claims.
   */
  private unshowable(data: JsonObject): boolean {
    const itemId = data.item_id;
    if (typeof itemId === 'string' && this.hiddenItems.has(itemId)) return true;
    return (Object.hasOwn(data, 'output_index') || itemId !== undefined) && typeof data.output_index !== 'number';
  }

  /** Gives `data` the next client sequence number; true when that changed it. */
  private renumber(data: JsonObject): boolean {
    if (typeof data.sequence_number !== 'number') return false;
    const state = this.state;
    state.nextSequence ??= data.sequence_number;
    const next = state.nextSequence++;
    if (data.sequence_number === next) return false;
    data.sequence_number = next;
    return true;
  }

  private hold(event: SseEvent, data: JsonObject): undefined {
    this.state.budget?.charge(event.data!.length); // its output joins the items the client gets at the end
    this.completed = true;
    this.held = { event, data };
    const output = this.response && Array.isArray(this.response.output) ? this.response.output : this.doneItems;
    this.outputs = output;
    for (const item of output) {
      if (!isInjectedCall(item, this.state.injected)) this.state.visible.push(item);
      else this.hidSome = true; // the terminal event must be rewritten even if no event of the call came before it
    }
    this.state.usages.push(this.response?.usage);
    return undefined;
  }

  /** The error event for a failure after this call began: it carries the sequence number after the last one the client got. */
  errorEvent(error: { message: string; code: string | null }): string {
    return errorEvent(error, this.state.nextSequence ?? 0);
  }

  /** The owner of this call's items (its terminal event's output and every finished item), written once it completed. */
  settle(): Promise<void> | undefined {
    const created = this.state.created;
    // Without injected tools the ending event waited for the owner instead (see release).
    if (!created || !this.completed || this.plain) return undefined;
    const ids = itemIdsOf(this.outputs ?? [], this.doneItems);
    return ids.length === 0 ? undefined : created.items(ids);
  }

  /** The model's output items of this call as received (reasoning included), for the next call's input. */
  outputItems(): unknown[] {
    if (this.plain) return this.completed && Array.isArray(this.response?.output) ? this.response!.output as unknown[] : this.doneItems;
    return this.outputs ?? this.doneItems;
  }

  turn(): Turn {
    this.result ??= turnOfResponse(this.response, this.outputItems(), this.state.injected);
    return this.result;
  }

  /** The held terminal event, rewritten to cover the whole loop: visible items of every call, usage summed. */
  tail(): Buffer {
    if (!this.held) return EMPTY;
    const { event, data } = this.held;
    const state = this.state;
    const echoesInjected = isObject(data.response) && hideInjectedToolsEcho({ tools: data.response.tools }, state.injected);
    if (this.iteration === 0 && !this.hidSome && !echoesInjected && (state.nextSequence === undefined || data.sequence_number === state.nextSequence)) return event.raw;
    const response = { ...(isObject(data.response) ? data.response : {}), output: state.visible, usage: sumAll(state.usages) };
    hideInjectedToolsEcho(response, state.injected);
    const out: JsonObject = { ...data, response };
    this.renumber(out);
    return Buffer.from(encodeSseEvent({ event: event.event, data: JSON.stringify(out) }));
  }
}
