/** An injected tool's result as an Anthropic `tool_result` block: text, images as base64 `image` blocks, errors flagged. */
import type { ToolOutcome } from '../conversation';
import { resultText } from '../../tools/tool-results';
import { type JsonObject } from '../../json/parse-object';

function contentBlock(item: { type: string; [k: string]: unknown }): JsonObject {
  if (item.type === 'text' && typeof item.text === 'string') return { type: 'text', text: item.text };
  if (item.type === 'image' && typeof item.data === 'string' && typeof item.mimeType === 'string') {
    return { type: 'image', source: { type: 'base64', media_type: item.mimeType, data: item.data } };
  }
  // Audio, resources and anything newer: the model reads them as text.
  return { type: 'text', text: resultText({ content: [item] }) || JSON.stringify(item) };
}

/** The `tool_result` block answering `outcome.call`. */
export function toolResultBlock(outcome: ToolOutcome): JsonObject {
  const { result } = outcome;
  const content = result.content.map(contentBlock).filter((b) => b.type !== 'text' || b.text !== '');
  if (content.length === 0 && result.structuredContent !== undefined) content.push({ type: 'text', text: JSON.stringify(result.structuredContent) });
  if (content.length === 0 && result.isError) content.push({ type: 'text', text: 'The tool failed.' });
  const block: JsonObject = { type: 'tool_result', tool_use_id: outcome.call.id };
  if (content.length > 0) block.content = content;
  if (result.isError) block.is_error = true;
  return block;
}
