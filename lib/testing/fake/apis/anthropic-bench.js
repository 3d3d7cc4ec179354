// The Anthropic frames of the bench's `bench-s<chunks>-d<delayMs>` streams: `chunks` text deltas between the usual framing events.
'use strict';

const { anthropicEvent, ANTHROPIC_PING } = require('../anthropic-render');
const { memoByChunks } = require('../bench-shape');

/** Frames per chunk count, built from buffers made once: only `message_delta` (the output tokens) depends on the count. */
function createAnthropicBenchFrames() {
  const frame = (type, data) => Buffer.from(anthropicEvent(type, data));
  const usage = { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 };
  const head = [
    frame('message_start', { message: { id: 'msg_bench', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage } }),
    Buffer.from(ANTHROPIC_PING),
    frame('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ];
  const token = frame('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'tok ' } });
  const blockStop = frame('content_block_stop', { index: 0 });
  const stop = frame('message_stop', {});
  return memoByChunks((chunks) => {
    const frames = [...head];
    for (let i = 0; i < chunks; i++) frames.push(token);
    frames.push(blockStop, frame('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: chunks } }), stop);
    return frames;
  });
}

module.exports = { createAnthropicBenchFrames };
