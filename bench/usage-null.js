// Micro-benchmark: what removing `"usage":null` costs per relayed chat chunk (needs `npm run build`).
'use strict';
const { stripUsageNull } = require('../dist/apis/openai-chat/usage-null');
const { ChatStreamObserver } = require('../dist/apis/openai-chat/chat-stream-observer');

const N = Number(process.argv[2]) || 200_000;
const chunk = (content, usage) => JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o-mini', system_fingerprint: 'fp_x',
  choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }], ...(usage ? { usage: null } : {}),
});
const withNull = Buffer.from(`data: ${chunk(' word', true)}\n\n`);
const without = Buffer.from(`data: ${chunk(' word', false)}\n\n`);
const event = (raw) => ({ data: raw.toString('utf8', 6, raw.length - 2), raw });
const sink = { interceptionId: 'x', recording: { tokenUsage() {}, toolUsage() {} } };

function nsPerOp(fn) {
  for (let i = 0; i < 20_000; i++) fn(); // warm-up
  const runs = [];
  for (let r = 0; r < 5; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fn();
    runs.push(Number(process.hrtime.bigint() - start) / N);
  }
  runs.sort((a, b) => a - b);
  return runs[2]; // median of 5
}

const rows = [
  ['stripUsageNull alone (a chunk with usage:null)', () => stripUsageNull(withNull)],
  ['accept(), client asked for usage (forwarded as is)', () => new ChatStreamObserver(sink, false).accept(event(withNull))],
  ['accept(), bridge asked (usage:null stripped)', () => new ChatStreamObserver(sink, true).accept(event(withNull))],
  ['accept(), no usage field at all (baseline)', () => new ChatStreamObserver(sink, true).accept(event(without))],
];
console.log(`${withNull.length}-byte chunk, ${N} iterations, median of 5 runs`);
for (const [name, fn] of rows) console.log(`${nsPerOp(fn).toFixed(0).padStart(6)} ns/op  ${name}`);
