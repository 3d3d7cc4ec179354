/** Bounds one tool result before the model gets it: past `maxBytes` it is cut on a UTF-8 boundary and says so. */
import type { ToolCallResult, ToolContentBlock } from '../../tools/types';

/** What a result weighs once capped: the sum of its blocks (see {@link capToolResult}). */
export function resultBytes(result: ToolCallResult): number {
  return result.content.reduce((sum, block) => sum + blockBytes(block), 0);
}

/** How many bytes a content block weighs: its text as UTF-8, anything else (images, resources) as its JSON. */
function blockBytes(block: ToolContentBlock): number {
  if (block.type === 'text' && typeof block.text === 'string') return Buffer.byteLength(block.text);
  return Buffer.byteLength(JSON.stringify(block));
}

/** The longest prefix of `text` that is at most `maxBytes` of UTF-8, never half a character. */
export function utf8Prefix(text: string, maxBytes: number): string {
  let head = text.slice(0, maxBytes); // at most maxBytes code units: never fewer bytes than needed
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1); // half a surrogate pair would become U+FFFD
  const bytes = Buffer.from(head, 'utf8');
  if (bytes.length <= maxBytes) return bytes.toString('utf8');
  let end = maxBytes;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--; // back to the first byte of the cut character
  return bytes.subarray(0, end).toString('utf8');
}

/** The note that ends a cut result, for the model to read. */
export function truncationNote(originalBytes: number, shownBytes: number): string {
  return `[truncated by the gateway: ${originalBytes} bytes, showing the first ${shownBytes}]`;
}

/**
 * `result` as it is when it weighs at most `maxBytes`; otherwise its blocks up to that weight (a text block cut to
 * fit, other blocks kept whole or left out) followed by a text block with the {@link truncationNote}. A result
 * with no content but `structuredContent` is weighed as that JSON, which the model would read instead.
 */
export function capToolResult(result: ToolCallResult, maxBytes: number): ToolCallResult {
  const blocks: ToolContentBlock[] = result.content.length === 0 && result.structuredContent !== undefined
    ? [{ type: 'text', text: JSON.stringify(result.structuredContent) }]
    : result.content;
  const weights = blocks.map(blockBytes);
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= maxBytes) return result;
  const kept: ToolContentBlock[] = [];
  let shown = 0;
  for (let i = 0; i < blocks.length && shown < maxBytes; i++) {
    const block = blocks[i];
    if (shown + weights[i] <= maxBytes) {
      kept.push(block);
      shown += weights[i];
    } else if (block.type === 'text' && typeof block.text === 'string') {
      const text = utf8Prefix(block.text, maxBytes - shown);
      kept.push({ type: 'text', text });
      shown += Buffer.byteLength(text);
    }
  }
  kept.push({ type: 'text', text: truncationNote(total, shown) });
  // structuredContent repeats the content in another form: kept, it would carry the whole result anyway.
  return { content: kept, ...(result.isError ? { isError: true } : {}) };
}
