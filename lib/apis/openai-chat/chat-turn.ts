/** A chat-completions answer (blocking, or accumulated from a stream) as a turn: what the tool loop and the records read. */
import type { Turn } from '../conversation';
import { type JsonObject, isObject } from '../../json/parse-object';
import { chatUsageToTokens } from './usage';
import { answerModel } from '../answer-model';

/** A tool call as the model wrote it. */
export interface ChatToolCall {
  id: string;
  name: string;
  arguments: string;
}

const NONE: ReadonlySet<string> = new Set();

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** What a turn reads of an answer (blocking, or accumulated from a stream) besides its tool calls; fields are the upstream's, of any type. */
export interface ChatAnswerHead {
  readonly id?: unknown;
  readonly model?: unknown;
  readonly usage?: unknown;
}

/** The turn of one upstream answer; calls named in `injected` are the bridge's to run. */
export function chatTurn(answer: ChatAnswerHead, calls: readonly ChatToolCall[], injected: ReadonlySet<string> = NONE): Turn {
  const { usage } = answer;
  return {
    msgId: text(answer.id),
    model: answerModel(answer.model),
    usage: usage && typeof usage === 'object' ? chatUsageToTokens(usage as JsonObject) : undefined,
    toolCalls: calls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments, injected: injected.has(c.name) })),
    thoughts: [],
  };
}

/** The tool calls of a blocking answer's first choice; the answer is the upstream's, so fields of the wrong type become ''. */
export function answerToolCalls(answer: JsonObject): ChatToolCall[] {
  const choice = Array.isArray(answer.choices) ? answer.choices[0] : undefined;
  const calls = isObject(choice) && isObject(choice.message) ? choice.message.tool_calls : undefined;
  if (!Array.isArray(calls)) return [];
  return calls.map((c) => {
    const fn = isObject(c) && isObject(c.function) ? c.function : {};
    return { id: text(isObject(c) ? c.id : undefined), name: text(fn.name), arguments: text(fn.arguments) };
  });
}
