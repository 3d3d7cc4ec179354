/** Reads Responses output items into what gets recorded: tool calls (client, injected, hosted) and thoughts. */
import type { Turn, TurnToolCall } from '../conversation';
import { responsesUsageToTokens } from './usage';
import { type JsonObject, isObject } from '../../json/parse-object';
import { answerModel } from '../answer-model';

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

// Results of hosted tools (images as base64, file contents, shell output) are answers, not arguments: never recorded.
const HOSTED_RESULT_FIELDS = new Set(['type', 'id', 'status', 'result', 'results', 'output', 'outputs']);

/** The arguments of a hosted tool call (`web_search_call`, `mcp_call`, …): its own fields minus ids and results. */
function hostedArguments(item: JsonObject): string {
  const args: JsonObject = {};
  for (const [k, v] of Object.entries(item)) if (!HOSTED_RESULT_FIELDS.has(k)) args[k] = v;
  return JSON.stringify(args);
}

/** True for an injected `function_call` item: the bridge runs it and the client never sees it. */
export function isInjectedCall(item: unknown, injected: ReadonlySet<string>): boolean {
  return isObject(item) && item.type === 'function_call' && typeof item.name === 'string' && injected.has(item.name);
}

/** A tool call item as a turn call; `undefined` for items that are not calls. */
export function toolCallOf(item: JsonObject, injected: ReadonlySet<string>): TurnToolCall | undefined {
  const type = str(item.type);
  if (type === 'function_call') {
    const name = str(item.name);
    return { id: str(item.call_id), name, arguments: str(item.arguments), injected: injected.has(name) };
  }
  if (type === 'custom_tool_call') return { id: str(item.call_id), name: str(item.name), arguments: str(item.input), injected: false };
  // Hosted tools ran upstream already: recorded under their item type, never sent back to anyone to run.
  if (type.endsWith('_call')) return { id: str(item.call_id) || str(item.id), name: type, arguments: hostedArguments(item), injected: false, ranUpstream: true };
  return undefined;
}

function outputTexts(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content.filter((p): p is JsonObject => isObject(p) && p.type === 'output_text' && typeof p.text === 'string').map((p) => p.text as string).join('');
}

/** Tool calls and thoughts of `items`, in order. */
export function readItems(items: readonly unknown[], injected: ReadonlySet<string>): Pick<Turn, 'toolCalls' | 'thoughts'> {
  const toolCalls: TurnToolCall[] = [];
  const thoughts: Turn['thoughts'] = [];
  for (const item of items) {
    if (!isObject(item)) continue;
    if (item.type === 'reasoning' && Array.isArray(item.summary)) {
      for (const part of item.summary) if (isObject(part) && typeof part.text === 'string' && part.text !== '') thoughts.push({ content: part.text, source: 'reasoning_summary' });
      continue;
    }
    if (item.type === 'message' && item.phase === 'commentary') {
      const text = outputTexts(item.content);
      if (text !== '') thoughts.push({ content: text, source: 'commentary' });
      continue;
    }
    const call = toolCallOf(item, injected);
    if (call) toolCalls.push(call);
  }
  return { toolCalls, thoughts };
}

/** A response object (blocking answer, or the `response` of a terminal event) as a turn. */
export function turnOfResponse(response: JsonObject | undefined, items: readonly unknown[], injected: ReadonlySet<string>): Turn {
  const usage = response && isObject(response.usage) ? responsesUsageToTokens(response.usage) : undefined;
  return { msgId: str(response?.id), model: answerModel(response?.model), usage, ...readItems(items, injected) };
}
