/** Finds the last user prompt and the last tool result of a chat-completions request. */

/** Text of the last `user` message (string content or the text parts of array content). */
export function lastUserPrompt(messages: unknown): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; content?: unknown } | null;
    if (!m || m.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    if (Array.isArray(m.content)) {
      const texts = m.content
        .filter((p): p is { type: string; text: string } => !!p && p.type === 'text' && typeof p.text === 'string')
        .map((p) => p.text);
      return texts.length ? texts.join('\n') : undefined;
    }
    return undefined;
  }
  return undefined;
}

/** The `tool_call_id` of the last `tool` message, if any. */
export function lastToolResultId(messages: unknown): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; tool_call_id?: unknown } | null;
    if (m && m.role === 'tool' && typeof m.tool_call_id === 'string') return m.tool_call_id;
  }
  return undefined;
}
