// Rebuilds the final OpenAI chat-completions answer from its streamed chunks, for recording and tool calls.
import { UNBOUNDED, type AccumulationBudget } from '../../streaming/accumulation-budget';
import { type JsonObject, isObject } from '../../json/parse-object';

export interface AccumulatedToolCall {
  index: number;
  id: string;
  name: string;
  arguments: string;
}

export interface ChatCompletionUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: Record<string, number | undefined>;
  completion_tokens_details?: Record<string, number | undefined>;
  [k: string]: unknown;
}

export interface AccumulatedChatCompletion {
  id?: string;
  model?: string;
  text: string;
  refusal: string;
  /** Ordered by index; argument fragments of the same index concatenated. */
  toolCalls: AccumulatedToolCall[];
  finishReason?: string;
  usage?: ChatCompletionUsage;
}

/**
 * Folds chunks (the parsed JSON of each `data:` event, `[DONE]` excluded) into one answer.
 * Upstreams and OpenAI-compatible servers vary, so every field is type-checked and anything
 * unexpected is skipped rather than thrown: recording must never break the relayed stream.
 */
export class ChatCompletionStreamAccumulator {
  private id: string | undefined;
  private model: string | undefined;
  private text = '';
  private refusal = '';
  private finishReason: string | undefined;
  private usage: ChatCompletionUsage | undefined;
  private readonly toolCalls = new Map<number, AccumulatedToolCall>();

  /** `budget` bounds the text kept (content, refusal, arguments); past it `add` throws. */
  constructor(private readonly budget: AccumulationBudget = UNBOUNDED) {}

  add(chunk: unknown): void {
    if (!isObject(chunk)) return;
    if (this.id === undefined && typeof chunk.id === 'string' && chunk.id !== '') this.id = chunk.id;
    if (this.model === undefined && typeof chunk.model === 'string' && chunk.model !== '') this.model = chunk.model;
    if (isObject(chunk.usage)) this.usage = chunk.usage as ChatCompletionUsage;

    const choices = chunk.choices;
    if (!Array.isArray(choices)) return;
    for (let i = 0; i < choices.length; i++) {
      const choice: unknown = choices[i];
      if (!isObject(choice)) continue;
      // Some compatible servers omit `index`; position is then the best guess.
      const index = typeof choice.index === 'number' ? choice.index : i;
      if (index !== 0) continue;
      if (typeof choice.finish_reason === 'string') this.finishReason = choice.finish_reason;
      const delta = choice.delta;
      if (isObject(delta)) this.addDelta(delta);
    }
  }

  result(): AccumulatedChatCompletion {
    const toolCalls = Array.from(this.toolCalls.values(), (t) => ({ ...t })).sort((a, b) => a.index - b.index);
    const out: AccumulatedChatCompletion = { text: this.text, refusal: this.refusal, toolCalls };
    if (this.id !== undefined) out.id = this.id;
    if (this.model !== undefined) out.model = this.model;
    if (this.finishReason !== undefined) out.finishReason = this.finishReason;
    if (this.usage !== undefined) out.usage = this.usage;
    return out;
  }

  private addDelta(delta: JsonObject): void {
    if (typeof delta.content === 'string') {
      this.budget.charge(delta.content.length);
      this.text += delta.content;
    }
    if (typeof delta.refusal === 'string') {
      this.budget.charge(delta.refusal.length);
      this.refusal += delta.refusal;
    }
    const calls = delta.tool_calls;
    if (!Array.isArray(calls)) return;
    for (let i = 0; i < calls.length; i++) {
      const call: unknown = calls[i];
      if (!isObject(call)) continue;
      const index = typeof call.index === 'number' ? call.index : i;
      let acc = this.toolCalls.get(index);
      if (acc === undefined) {
        acc = { index, id: '', name: '', arguments: '' };
        this.toolCalls.set(index, acc);
      }
      // id and name are set, not appended: some compatible servers repeat them in every delta. The first name
      // stays: it decided whether the client saw this call, so a later one must not turn it into another tool.
      // Kept too, one per call index the upstream invents: counted like arguments (a replaced id is counted again).
      if (typeof call.id === 'string' && call.id !== '') {
        this.budget.charge(call.id.length);
        acc.id = call.id;
      }
      const fn = call.function;
      if (isObject(fn)) {
        if (typeof fn.name === 'string' && fn.name !== '' && acc.name === '') {
          this.budget.charge(fn.name.length);
          acc.name = fn.name;
        }
        if (typeof fn.arguments === 'string') {
          this.budget.charge(fn.arguments.length);
          acc.arguments += fn.arguments;
        }
      }
    }
  }
}
