/** Finds the last user prompt and the last tool output of a Responses request's `input`. */
import { isObject } from '../../json/parse-object';

/** A string `input`, or the text of the last user item (its string content, or its last `input_text` part). */
export function lastUserPrompt(input: unknown): string | undefined {
  if (typeof input === 'string') return input;
  if (!Array.isArray(input)) return undefined;
  for (let i = input.length - 1; i >= 0; i--) {
    const item = input[i];
    if (!isObject(item) || item.role !== 'user' || (item.type !== undefined && item.type !== 'message')) continue;
    if (typeof item.content === 'string') return item.content;
    if (!Array.isArray(item.content)) return undefined;
    for (let j = item.content.length - 1; j >= 0; j--) {
      const part = item.content[j];
      if (isObject(part) && part.type === 'input_text' && typeof part.text === 'string') return part.text;
    }
    return undefined;
  }
  return undefined;
}

const TOOL_OUTPUTS = new Set(['function_call_output', 'custom_tool_call_output']);

/** The `call_id` of the last `function_call_output` / `custom_tool_call_output` input item, if any. */
export function lastToolOutputCallId(input: unknown): string | undefined {
  if (!Array.isArray(input)) return undefined;
  for (let i = input.length - 1; i >= 0; i--) {
    const item = input[i];
    if (isObject(item) && TOOL_OUTPUTS.has(item.type as string) && typeof item.call_id === 'string') return item.call_id;
  }
  return undefined;
}
