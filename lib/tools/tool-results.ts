/** Small results every tool source and the tool loop share: a readable tool error, the abort error, arguments. */
import type { ToolCallResult } from './types';

/** A failed call as the model gets to read it: one text block, `isError: true`. */
export function toolError(text: string): ToolCallResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/** The rejection of a tool call whose request went away: an `Error` named `AbortError`, the signal's reason as `cause`. */
export function toolAbortError(signal: AbortSignal): Error {
  const err = new Error('Tool call aborted: the request was aborted.', { cause: signal.reason });
  err.name = 'AbortError';
  return err;
}

/** Cuts what a hostile model or server sent before it goes into a message. */
export function shortText(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * The model's arguments as the object an MCP `tools/call` needs: an object as is, the JSON text of an object
 * parsed, nothing (`undefined`, `null`, `''`) as `{}`. Anything else is a string saying why not.
 */
export function toolArguments(raw: unknown): Record<string, unknown> | string {
  let value = raw;
  if (value === undefined || value === null || value === '') return {};
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return 'the arguments are not valid JSON.';
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'the arguments must be a JSON object.';
  return value as Record<string, unknown>;
}
