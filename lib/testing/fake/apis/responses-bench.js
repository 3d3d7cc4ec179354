// The Responses frames of the bench's `bench-s<chunks>-d<delayMs>` streams: `chunks` output_text deltas between the lifecycle events.
'use strict';

const { responseObject } = require('../responses-render');
const { memoByChunks } = require('../bench-shape');

const ITEM_ID = 'msg_bench';
const TOKEN = 'tok ';

/** Frames per chunk count, built once per count: every event carries its own sequence number. */
function createResponsesBenchFrames() {
  return memoByChunks((chunks) => {
    const frames = [];
    const add = (type, fields) => frames.push(Buffer.from(`event: ${type}\ndata: ${JSON.stringify({ type, ...fields, sequence_number: frames.length })}\n\n`));
    const body = { model: 'gpt-5-mini', store: false };
    add('response.created', { response: responseObject('resp_bench', 'in_progress', [], null, body) });
    add('response.in_progress', { response: responseObject('resp_bench', 'in_progress', [], null, body) });
    add('response.output_item.added', { output_index: 0, item: { id: ITEM_ID, type: 'message', status: 'in_progress', role: 'assistant', content: [] } });
    const at = { item_id: ITEM_ID, output_index: 0, content_index: 0 };
    add('response.content_part.added', { ...at, part: { type: 'output_text', annotations: [], text: '' } });
    for (let i = 0; i < chunks; i++) add('response.output_text.delta', { ...at, delta: TOKEN, logprobs: [] });
    const text = TOKEN.repeat(chunks);
    const part = { type: 'output_text', annotations: [], text };
    add('response.output_text.done', { ...at, text, logprobs: [] });
    add('response.content_part.done', { ...at, part });
    const item = { id: ITEM_ID, type: 'message', status: 'completed', role: 'assistant', content: [part] };
    add('response.output_item.done', { output_index: 0, item });
    const usage = { input_tokens: 12, input_tokens_details: { cached_tokens: 0 }, output_tokens: chunks, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 12 + chunks };
    add('response.completed', { response: responseObject('resp_bench', 'completed', [item], usage, body) });
    return frames;
  });
}

module.exports = { createResponsesBenchFrames };
