/**
 * Watches one streamed Messages call. Without injected tools every event goes as it came. With them (the loop):
 * one `message_start` for the whole loop, injected `tool_use` blocks hidden, block indexes renumbered without gaps
 * across calls, the terminal `message_delta`/`message_stop` held.
 */
import type { SseEvent } from '../../streaming/sse-decoder';
import { UNBOUNDED, type AccumulationBudget } from '../../streaming/accumulation-budget';
import { encodeSseEvent } from '../../streaming/sse-encoder';
import type { StreamObserver, Turn } from '../conversation';
import type { UpstreamReportedError } from '../../errors';
import { sumAll } from '../sum-usage';
import { MessageAccumulator } from './message-accumulator';
import { messageTurn } from './message-turn';
import { type JsonObject } from '../../json/parse-object';

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

const EMPTY = Buffer.alloc(0);

/** What the observers of one request share across calls. */
export interface MessagesStreamState {
  /** Names of the injected tools; empty: the events are relayed as they come. */
  readonly injected: ReadonlySet<string>;
  /** The index the client sees for the next visible content block. */
  nextIndex: number;
  /** Each call's final usage (merged over its events), summed into the one `message_delta` the client gets. */
  readonly usages: unknown[];
  /** Bounds what the observers of the request keep, over every call. */
  readonly budget?: AccumulationBudget;
}

export class MessagesStreamObserver implements StreamObserver {
  completed = false;
  upstreamError: UpstreamReportedError | undefined;
  private readonly accumulator: MessageAccumulator;
  /** Upstream block index → client index; hidden blocks map to -1. */
  private readonly indexes = new Map<number, number>();
  private heldDelta: { event: SseEvent; json: JsonObject } | undefined;
  private heldStop: Buffer | undefined;
  private result: Turn | undefined;
  /** No injected tools: every event as it came, nothing held, no index renumbered. */
  private readonly plain: boolean;

  constructor(private readonly state: MessagesStreamState, private readonly iteration: number) {
    this.plain = state.injected.size === 0;
    this.accumulator = new MessageAccumulator(state.budget ?? UNBOUNDED);
  }

  accept(event: SseEvent): Buffer | undefined {
    const json = eventJson(event);
    if (!json) return event.raw;
    if (this.plain) return this.relay(event, json);
    switch (json.type) {
      case 'error':
        this.upstreamError = reportedError(json);
        return event.raw;
      case 'message_start':
        this.accumulator.add(json);
        return this.iteration === 0 ? event.raw : undefined;
      case 'content_block_start':
        this.accumulator.add(json);
        return this.startBlock(event, json);
      case 'content_block_delta':
      case 'content_block_stop':
        this.accumulator.add(json);
        return this.renumber(event, json);
      case 'message_delta':
        this.accumulator.add(json);
        this.heldDelta = { event, json };
        return undefined;
      case 'message_stop':
        this.completed = true;
        this.heldStop = event.raw;
        return undefined;
      default:
        return event.raw; // ping and anything newer
    }
  }

  /** An event without injected tools: recorded from, relayed as it came. */
  private relay(event: SseEvent, json: JsonObject): Buffer {
    if (json.type === 'error') this.upstreamError = reportedError(json);
    else if (json.type === 'message_stop') this.completed = true;
    else this.accumulator.add(json);
    return event.raw;
  }

  private startBlock(event: SseEvent, json: JsonObject): Buffer | undefined {
    if (typeof json.index !== 'number') return event.raw;
    const block = json.content_block as JsonObject | undefined;
    if (block?.type === 'tool_use' && typeof block.name === 'string' && this.state.injected.has(block.name)) {
      this.indexes.set(json.index, -1);
      return undefined;
    }
    this.indexes.set(json.index, this.state.nextIndex++);
    return this.renumber(event, json);
  }

  private renumber(event: SseEvent, json: JsonObject): Buffer | undefined {
    // A delta or stop whose block is not known (no number, or before its start) cannot be judged: it could be an
    // injected tool_use's input, so it is withheld, as the Responses and chat observers do.
    if (typeof json.index !== 'number') return undefined;
    const index = this.indexes.get(json.index);
    if (index === undefined) return undefined;
    if (index === json.index) return event.raw;
    if (index < 0) return undefined;
    json.index = index;
    return Buffer.from(encodeSseEvent({ event: event.event, data: JSON.stringify(json) }));
  }

  /** The content blocks of this call as received (replayed to the model in the next call). */
  content(): JsonObject[] {
    return this.accumulator.content();
  }

  turn(): Turn {
    if (this.result) return this.result;
    const a = this.accumulator;
    this.state.usages.push(a.usage);
    this.result = messageTurn(a, a.content(), a.usage, this.state.injected, (b) => a.argumentsOf(b));
    return this.result;
  }

  /** The held `message_delta` (its usage summed over the loop when there were several calls) and `message_stop`; nothing without injected tools. */
  tail(): Buffer {
    if (this.plain) return EMPTY;
    this.turn();
    const parts: Buffer[] = [];
    if (this.heldDelta) {
      if (this.iteration === 0 && this.state.usages.length <= 1) {
        parts.push(this.heldDelta.event.raw);
      } else {
        const json = { ...this.heldDelta.json, usage: sumAll(this.state.usages) };
        parts.push(Buffer.from(encodeSseEvent({ event: this.heldDelta.event.event, data: JSON.stringify(json) })));
      }
    }
    if (this.heldStop) parts.push(this.heldStop);
    return Buffer.concat(parts);
  }
}
