// Renders one Anthropic assistant turn ("step": thinking, text, tool_use blocks, usage) as a Messages answer, blocking or SSE.
'use strict';

const DEFAULT_MODEL = 'claude-sonnet-4-5';
const DEFAULT_USAGE = { input_tokens: 10, output_tokens: 5 };
// The real API's ping has a space after the colon; relays that re-serialise events show up against it.
const PING = 'event: ping\ndata: {"type": "ping"}\n\n';

/** `event: <type>` and its data, `type` first, as the API sends them. */
function anthropicEvent(type, data) {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

function usageOf(step) {
  return step.usage ?? DEFAULT_USAGE;
}

function stopReasonOf(step) {
  return step.stopReason ?? (step.toolCalls && step.toolCalls.length ? 'tool_use' : 'end_turn');
}

/** The final content blocks of `step`; tool inputs are parsed from their JSON text. */
function contentOf(step, signature) {
  const content = [];
  if (step.thinking) content.push({ type: 'thinking', thinking: step.thinking, signature });
  if (step.text) content.push({ type: 'text', text: step.text });
  for (const c of step.toolCalls || []) content.push({ type: 'tool_use', id: c.id, name: c.name, input: JSON.parse(c.input) });
  return content;
}

/** The `message` object of `step` (a blocking answer). `signature` signs the thinking block. */
function renderMessage(step, { id, model = DEFAULT_MODEL, signature = `sig-${id}` }) {
  const { input_tokens, output_tokens } = usageOf(step);
  return {
    id, type: 'message', role: 'assistant', model, content: contentOf(step, signature),
    stop_reason: stopReasonOf(step), stop_sequence: null,
    usage: { input_tokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens },
  };
}

/**
 * The SSE events of `step`, each a string ending with its blank line, shaped like the real API's: `message_start`
 * (output_tokens 1), a ping, each block started → deltas (text word by word; tool input as an empty fragment and
 * two halves) → stopped, `message_delta` with the stop reason and the final (cumulative) output tokens, `message_stop`.
 */
function renderMessageEvents(step, { id, model = DEFAULT_MODEL, signature = `sig-${id}` }) {
  const { input_tokens, output_tokens } = usageOf(step);
  const out = [anthropicEvent('message_start', { message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 } } })];
  out.push(PING);
  let index = 0;
  if (step.thinking) {
    out.push(anthropicEvent('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
    out.push(anthropicEvent('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: step.thinking } }));
    out.push(anthropicEvent('content_block_delta', { index, delta: { type: 'signature_delta', signature } }));
    out.push(anthropicEvent('content_block_stop', { index: index++ }));
  }
  if (step.text) {
    out.push(anthropicEvent('content_block_start', { index, content_block: { type: 'text', text: '' } }));
    for (const word of step.text.split(/(?<= )/)) out.push(anthropicEvent('content_block_delta', { index, delta: { type: 'text_delta', text: word } }));
    out.push(anthropicEvent('content_block_stop', { index: index++ }));
  }
  for (const c of step.toolCalls || []) {
    out.push(anthropicEvent('content_block_start', { index, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } }));
    const half = Math.floor(c.input.length / 2);
    for (const part of ['', c.input.slice(0, half), c.input.slice(half)]) out.push(anthropicEvent('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: part } }));
    out.push(anthropicEvent('content_block_stop', { index: index++ }));
  }
  out.push(anthropicEvent('message_delta', { delta: { stop_reason: stopReasonOf(step), stop_sequence: null }, usage: { output_tokens } }));
  out.push(anthropicEvent('message_stop', {}));
  return out;
}

module.exports = { anthropicEvent, renderMessage, renderMessageEvents, ANTHROPIC_PING: PING, ANTHROPIC_MODEL: DEFAULT_MODEL };
