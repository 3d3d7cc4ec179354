/**
 * Watches one streamed chat-completions call. Without injected tools it forwards every chunk as it came (text
 * deltas unparsed) but for what the bridge itself caused: the `"usage":null` it asked for is removed, its usage
 * chunk hidden. With injected tools (the loop) it hides injected calls, holds the terminal phase, keeps one id.
 */
import type { SseEvent } from '../../streaming/sse-decoder';
import { UNBOUNDED, type AccumulationBudget } from '../../streaming/accumulation-budget';
import { encodeSseEvent } from '../../streaming/sse-encoder';
import type { StreamObserver, Turn } from '../conversation';
import type { UpstreamReportedError } from '../../errors';
import { sumAll } from '../sum-usage';
import { ChatCompletionStreamAccumulator } from './stream-accumulator';
import { ChatCallFilter } from './chat-call-filter';
import { chatTurn } from './chat-turn';
import { type JsonObject, isObject } from '../../json/parse-object';
import { stripUsageNull } from './usage-null';

/** What the observers of one request share across iterations. */
export interface ChatStreamState {
  /** Names of the injected tools; empty: the chunks are relayed as they come. */
  readonly injected: ReadonlySet<string>;
  readonly clientWantsUsage: boolean;
  /** The chunk id of the first call: every chunk the client gets carries it. */
  firstId: string | undefined;
  /** Raw usage of every call so far, summed into the one usage chunk the client may get. */
  readonly usages: unknown[];
  /** Bounds what the observers of the request keep, over every call. */
  readonly budget?: AccumulationBudget;
}

const DONE = Buffer.from('data: [DONE]\n\n');
const EMPTY = Buffer.alloc(0);
/** What makes a chunk worth parsing without injected tools: the parts that are recorded (tool calls, usage) or judged (errors). */
const RECORDED = /"tool_calls"|"usage"\s*:\s*\{|"error"\s*:/;
const USAGE_NULL_LAST = ',"usage":null}';

function isEmptyDelta(delta: unknown): boolean {
  return !isObject(delta) || Object.keys(delta).every((k) => delta[k] === undefined || delta[k] === null || (k === 'content' && delta[k] === ''));
}

type Chunk = JsonObject & { id?: unknown; error?: unknown; usage?: unknown; choices?: unknown };

export class ChatStreamObserver implements StreamObserver {
  completed = false;
  upstreamError: UpstreamReportedError | undefined;
  private readonly accumulator: ChatCompletionStreamAccumulator;
  private readonly calls: ChatCallFilter;
  private heldFinish: Buffer | undefined;
  private heldUsage: JsonObject | undefined;
  private heldUsageRaw: Buffer | undefined;
  private result: Turn | undefined;
  /** No injected tools: nothing is hidden but what the bridge caused, nothing held. */
  private readonly plain: boolean;
  /** Without injected tools, once the chunk id is known later text-only chunks need no parsing. */
  private sawId = false;

  constructor(private readonly state: ChatStreamState, private readonly iteration: number) {
    this.plain = state.injected.size === 0;
    this.calls = new ChatCallFilter(state.injected, state.budget ?? UNBOUNDED);
    this.accumulator = new ChatCompletionStreamAccumulator(state.budget ?? UNBOUNDED);
  }

  accept(event: SseEvent): Buffer | undefined {
    const data = event.data;
    if (data === undefined) return event.raw;
    if (data === '[DONE]') {
      this.completed = true;
      return this.plain ? event.raw : undefined;
    }
    // Most chunks are text deltas: nothing in them is recorded, so they are relayed without a JSON.parse.
    if (this.sawId && !RECORDED.test(data)) {
      return !this.state.clientWantsUsage && data.endsWith(USAGE_NULL_LAST) ? stripUsageNull(event.raw) ?? event.raw : event.raw;
    }
    let chunk: Chunk;
    try {
      chunk = JSON.parse(data) as Chunk;
    } catch {
      return event.raw; // not ours to judge: relay it as it came
    }
    if (!isObject(chunk)) return event.raw;
    if (isObject(chunk.error)) {
      const e = chunk.error;
      this.upstreamError = { message: typeof e.message === 'string' ? e.message : 'upstream error', type: typeof e.type === 'string' ? e.type : undefined };
      return event.raw;
    }
    this.accumulator.add(chunk);
    if (this.plain) return this.relayed(chunk, event);
    // Azure opens with a content-filter chunk whose id is empty: the first real id is the one the client keeps.
    if (this.state.firstId === undefined && typeof chunk.id === 'string' && chunk.id !== '') this.state.firstId = chunk.id;
    const choices = chunk.choices;
    if (isObject(chunk.usage) && Array.isArray(choices) && choices.length === 0) {
      this.heldUsage = chunk;
      this.heldUsageRaw = event.raw;
      return undefined;
    }
    const changed = this.rewrite(chunk);
    const choice = Array.isArray(choices) && isObject(choices[0]) ? choices[0] : undefined;
    const bytes = changed ? Buffer.from(encodeSseEvent({ event: event.event, data: JSON.stringify(chunk) })) : event.raw;
    if (choice && choice.finish_reason !== null && choice.finish_reason !== undefined) {
      this.heldFinish = bytes;
      return undefined;
    }
    if (changed && Array.isArray(choices) && choices.every((c) => isObject(c) && isEmptyDelta(c.delta) && !c.logprobs && c.finish_reason == null)) return undefined; // only hidden parts were in it
    return bytes;
  }

  /** A parsed chunk without injected tools: as it came, but for the usage the bridge asked for on the client's behalf. */
  private relayed(chunk: Chunk, event: SseEvent): Buffer | undefined {
    if (typeof chunk.id === 'string' && chunk.id !== '') this.sawId = true;
    if (this.state.clientWantsUsage) return event.raw;
    if (chunk.usage === null) return stripUsageNull(event.raw) ?? event.raw;
    return chunk.usage && Array.isArray(chunk.choices) && chunk.choices.length === 0 ? undefined : event.raw;
  }

  /** Edits `chunk` in place for the client; true when anything changed. */
  private rewrite(chunk: JsonObject): boolean {
    let changed = false;
    if (this.iteration > 0 && this.state.firstId !== undefined && chunk.id !== this.state.firstId) {
      chunk.id = this.state.firstId;
      changed = true;
    }
    if (!this.state.clientWantsUsage && 'usage' in chunk && chunk.usage === null) {
      delete chunk.usage;
      changed = true;
    }
    if (!Array.isArray(chunk.choices)) return changed;
    chunk.choices.forEach((choice: unknown, position: number) => {
      if (!isObject(choice)) return;
      if (this.calls.filter(choice, position)) changed = true;
      if (this.iteration > 0 && isObject(choice.delta) && choice.delta.role !== undefined) {
        delete choice.delta.role; // one assistant message across the loop
        changed = true;
      }
    });
    return changed;
  }

  /** Text the model wrote in this call (kept in the assistant message of the next call). */
  text(): string {
    return this.accumulator.result().text;
  }

  turn(): Turn {
    if (this.result) return this.result;
    const r = this.accumulator.result();
    this.state.usages.push(r.usage);
    this.result = chatTurn(r, r.toolCalls, this.state.injected);
    return this.result;
  }

  /** The held finish chunk, the usage chunk (summed, when the client asked for usage) and `[DONE]`; nothing without injected tools. */
  tail(): Buffer {
    if (this.plain) return EMPTY;
    const parts: Buffer[] = [];
    if (this.heldFinish) parts.push(this.heldFinish);
    if (this.state.clientWantsUsage && this.heldUsage) {
      if (this.state.usages.length <= 1 && this.iteration === 0) {
        parts.push(this.heldUsageRaw!);
      } else {
        const usage: JsonObject = { ...this.heldUsage, usage: sumAll(this.state.usages) };
        if (this.state.firstId !== undefined) usage.id = this.state.firstId;
        parts.push(Buffer.from(encodeSseEvent({ data: JSON.stringify(usage) })));
      }
    }
    if (this.completed) parts.push(DONE);
    return Buffer.concat(parts);
  }
}
