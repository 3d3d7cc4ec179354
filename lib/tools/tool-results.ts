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

/** The model's arguments as a JSON object, or the reason they cannot be used. */
export type ParsedToolArguments = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

/**
 * The one reading of a model's tool arguments: an object as is, the JSON text of an object parsed, nothing
 * (`undefined`, `null`, blank text) as `{}`. Anything else (invalid JSON, an array, a scalar) says why not.
 */
export function parseToolArguments(raw: unknown): ParsedToolArguments {
  let value = raw;
  if (value === undefined || value === null) return { ok: true, value: {} };
  if (typeof value === 'string') {
    if (value.trim() === '') return { ok: true, value: {} };
    try {
      value = JSON.parse(value);
    } catch (err) {
      return { ok: false, error: `Tool arguments are not valid JSON (${err instanceof Error ? err.message : String(err)}).` };
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: 'Tool arguments must be a JSON object.' };
  return { ok: true, value: value as Record<string, unknown> };
}

/** The arguments as the object an MCP `tools/call` needs, or a string saying why not. */
export function toolArguments(raw: unknown): Record<string, unknown> | string {
  const parsed = parseToolArguments(raw);
  return parsed.ok ? parsed.value : parsed.error;
}

/** The arguments as a record stores them: the object when they are one, else the text as the model wrote it. */
export function recordedToolArguments(text: string): unknown {
  const parsed = parseToolArguments(text);
  return parsed.ok ? parsed.value : text;
}

/** The text of a result, for records and for APIs whose tool messages carry text only. */
export function resultText(result: ToolCallResult): string {
  const parts: string[] = [];
  for (const item of result.content) {
    if (item.type === 'text' && typeof item.text === 'string') parts.push(item.text);
    else if (item.type === 'image' || item.type === 'audio') parts.push(`[${item.type}: ${typeof item.mimeType === 'string' ? item.mimeType : 'binary'}]`);
    else if (item.type === 'resource' || item.type === 'resource_link') parts.push(JSON.stringify(item));
  }
  if (parts.length === 0 && result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent));
  return parts.join('\n');
}

/** A result as text for APIs whose tool messages carry text only: an error is said to be one (`Error: …`). */
export function resultTextForModel(result: ToolCallResult): string {
  const text = resultText(result);
  return result.isError ? `Error: ${text || 'the tool failed.'}` : text;
}
