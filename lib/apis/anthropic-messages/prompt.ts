/** What a Messages request says about itself for records: the last user prompt and the tool result it answers. */

type Block = { type?: unknown; text?: unknown; tool_use_id?: unknown };
type Message = { role?: unknown; content?: unknown } | null;

/**
 * The last user prompt: a string `content`, or the last text block of the last user message that has one.
 * Messages holding only tool results are skipped (they answer a tool, they do not prompt).
 */
export function lastUserPrompt(messages: unknown): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Message;
    if (!m || m.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    if (!Array.isArray(m.content)) continue;
    for (let j = m.content.length - 1; j >= 0; j--) {
      const b = m.content[j] as Block | null;
      if (b && b.type === 'text' && typeof b.text === 'string') return b.text;
    }
  }
  return undefined;
}

/** The `tool_use_id` of the last `tool_result` block in the client's messages, if any. */
export function lastToolResultId(messages: unknown): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Message;
    if (!m || !Array.isArray(m.content)) continue;
    for (let j = m.content.length - 1; j >= 0; j--) {
      const b = m.content[j] as Block | null;
      if (b && b.type === 'tool_result' && typeof b.tool_use_id === 'string') return b.tool_use_id;
    }
  }
  return undefined;
}
