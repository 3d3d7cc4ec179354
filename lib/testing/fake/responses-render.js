// Renders one Responses turn ("step": reasoning summary, text, function calls, usage) as a response object or its SSE events.
'use strict';

const CREATED_AT = 1_760_000_000;
const DEFAULT_USAGE = { input_tokens: 10, output_tokens: 5 };

/** `usage` as the API sends it: details and total included. */
function responsesUsage(step) {
  const u = step.usage ?? DEFAULT_USAGE;
  return {
    input_tokens: u.input_tokens, input_tokens_details: { cached_tokens: u.cached_tokens ?? 0 },
    output_tokens: u.output_tokens, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: u.input_tokens + u.output_tokens,
  };
}

/** A `response` object; `body` (the request's JSON, may be undefined) supplies model, tools and flags as the API echoes them. */
function responseObject(id, status, output, usage, body) {
  const b = body || {};
  return {
    id, object: 'response', created_at: CREATED_AT, status, error: null, incomplete_details: null, model: b.model ?? 'gpt-5',
    output, parallel_tool_calls: b.parallel_tool_calls ?? true, store: b.store ?? true, tools: b.tools ?? [], usage,
  };
}

/** The output items of `step`, final form, named by `ids.item(kind, i)` (kind `rs`, `msg` or `fc`; `i` counts calls). */
function outputItems(step, ids) {
  const out = [];
  if (step.reasoning) out.push({ id: ids.item('rs', 0), type: 'reasoning', summary: [{ type: 'summary_text', text: step.reasoning }] });
  if (step.text) out.push({ id: ids.item('msg', 0), type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', annotations: [], text: step.text }] });
  (step.toolCalls || []).forEach((c, i) => out.push({ id: ids.item('fc', i), type: 'function_call', status: 'completed', call_id: c.id, name: c.name, arguments: c.arguments }));
  return out;
}

/** The item ids of the `n`th scripted call: `rs_<n>`, `msg_<n>`, `fc_<n>_<i>`. */
const stepItemIds = (n) => ({ item: (kind, i) => (kind === 'fc' ? `fc_${n}_${i}` : `${kind}_${n}`) });

/**
 * The SSE events of `step` (strings, each ending with its blank line): created, in_progress, each item added →
 * deltas (text word by word, arguments in two halves) → done, then `response.completed` with the usage.
 */
function responseEvents(step, { id, body, ids }) {
  const events = [];
  const add = (type, fields) => events.push(`event: ${type}\ndata: ${JSON.stringify({ type, ...fields, sequence_number: events.length })}\n\n`);
  add('response.created', { response: responseObject(id, 'in_progress', [], null, body) });
  add('response.in_progress', { response: responseObject(id, 'in_progress', [], null, body) });
  const done = outputItems(step, ids);
  done.forEach((item, output_index) => {
    const item_id = item.id;
    if (item.type === 'reasoning') {
      add('response.output_item.added', { output_index, item: { ...item, summary: [] } });
      add('response.reasoning_summary_part.added', { item_id, output_index, summary_index: 0, part: { type: 'summary_text', text: '' } });
      add('response.reasoning_summary_text.delta', { item_id, output_index, summary_index: 0, delta: step.reasoning });
      add('response.reasoning_summary_text.done', { item_id, output_index, summary_index: 0, text: step.reasoning });
      add('response.reasoning_summary_part.done', { item_id, output_index, summary_index: 0, part: item.summary[0] });
    } else if (item.type === 'message') {
      add('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } });
      add('response.content_part.added', { item_id, output_index, content_index: 0, part: { type: 'output_text', annotations: [], text: '' } });
      for (const word of step.text.split(/(?<= )/)) add('response.output_text.delta', { item_id, output_index, content_index: 0, delta: word, logprobs: [] });
      add('response.output_text.done', { item_id, output_index, content_index: 0, text: step.text, logprobs: [] });
      add('response.content_part.done', { item_id, output_index, content_index: 0, part: item.content[0] });
    } else {
      add('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', arguments: '' } });
      const half = Math.floor(item.arguments.length / 2);
      add('response.function_call_arguments.delta', { item_id, output_index, delta: item.arguments.slice(0, half) });
      add('response.function_call_arguments.delta', { item_id, output_index, delta: item.arguments.slice(half) });
      add('response.function_call_arguments.done', { item_id, output_index, arguments: item.arguments });
    }
    add('response.output_item.done', { output_index, item });
  });
  add('response.completed', { response: responseObject(id, 'completed', done, responsesUsage(step), body) });
  return events;
}

module.exports = { responsesUsage, responseObject, outputItems, responseEvents, stepItemIds };
