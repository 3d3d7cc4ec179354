/** Watches one streamed chat-completions call of the tool loop: hides injected calls, holds the terminal phase, keeps one id. */
import type { SseEvent } from '../../streaming/sse-decoder';
import { UNBOUNDED, type AccumulationBudget } from '../../streaming/accumulation-budget';
import { encodeSseEvent } from '../../streaming/sse-encoder';
import type { LoopStreamObserver, Turn } from '../conversation';
import type { UpstreamReportedError } from '../../errors';
import { sumAll } from '../sum-usage';
import { ChatCompletionStreamAccumulator } from './stream-accumulator';
import { ChatCallFilter } from './chat-call-filter';
import { chatTurn } from './chat-turn';
import { type JsonObject, isObject } from '../../json/parse-object';

/** What the observers of one request share across iterations. */
export interface ChatLoopState {
  /** Names of the injected tools. */
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

function isEmptyDelta(delta: unknown): boolean {
  return !isObject(delta) || Object.keys(delta).every((k) => delta[k] === undefined || delta[k] === null || (k === 'content' && delta[k] === ''));
}

export class ChatLoopObserver implements LoopStreamObserver {
  completed = false;
  upstreamError: UpstreamReportedError | undefined;
  private readonly accumulator: ChatCompletionStreamAccumulator;
  private readonly calls: ChatCallFilter;
  private heldFinish: Buffer | undefined;
  private heldUsage: JsonObject | undefined;
  private heldUsageRaw: Buffer | undefined;
  private result: Turn | undefined;

  constructor(private readonly state: ChatLoopState, private readonly iteration: number) {
    this.calls = new ChatCallFilter(state.injected, state.budget ?? UNBOUNDED);
    this.accumulator = new ChatCompletionStreamAccumulator(state.budget ?? UNBOUNDED);
  }

  accept(event: SseEvent): Buffer | undefined {
    const data = event.data;
    if (data === undefined) return event.raw;
    if (data === '[DONE]') {
      this.completed = true;
      return undefined;
    }
    let chunk: JsonObject;
    try {
      chunk = JSON.parse(data) as JsonObject;
    } catch {
      return event.raw;
    }
    if (!isObject(chunk)) return event.raw;
    if (isObject(chunk.error)) {
      const e = chunk.error;
      this.upstreamError = { message: typeof e.message === 'string' ? e.message : 'upstream error', type: typeof e.type === 'string' ? e.type : undefined };
      return event.raw;
    }
    this.accumulator.add(chunk);
    if (this.state.firstId === undefined && typeof chunk.id === 'string') this.state.firstId = chunk.id;
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
    this.result = chatTurn(r.id ?? '', r.usage, r.toolCalls, this.state.injected);
    return this.result;
  }

  /** The held finish chunk, the usage chunk (summed, when the client asked for usage) and `[DONE]`. */
  tail(): Buffer {
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
