// Micro-benchmark: what redacting every relayed SSE event costs, per event, next to decoding and observing it (needs `npm run build`).
'use strict';
const { loadTranscripts, anthropicTranscript, responsesTranscript } = require('../dist/testing/fixtures');
const { SseDecoder } = require('../dist/streaming/sse-decoder');
const { Redactor } = require('../dist/redaction/redactor');
const { redactEvents } = require('../dist/redaction/event-redaction');
const { ChatStreamObserver } = require('../dist/apis/openai-chat/chat-stream-observer');
const { ResponsesStreamObserver } = require('../dist/apis/openai-responses/responses-stream-observer');
const { MessagesStreamObserver } = require('../dist/apis/anthropic-messages/messages-stream-observer');

const ROUNDS = Number(process.argv[2]) || 20_000;
const sink = { interceptionId: 'x', recording: { tokenUsage() {}, toolUsage() {}, modelThought() {}, promptUsage() {} } };
const streams = [
  ['chat', loadTranscripts('openai')['chat-stream'].body, () => new ChatStreamObserver(sink, false)],
  ['responses', responsesTranscript('reasoning-summary'), () => new ResponsesStreamObserver(sink)],
  ['messages', Buffer.from(anthropicTranscript('thinking-text')), () => new MessagesStreamObserver(sink)],
];
const key = (p, i) => `${p}${String(i).padStart(4, '0')}${'x'.repeat(40)}`;
const redactors = [
  ['3 pool keys', new Redactor([key('sk-proj-', 1), key('sk-proj-', 2), key('sk-ant-api03-', 1)]).forRequest()],
  ['20 pool keys, 2 prefixes', new Redactor([...Array.from({ length: 10 }, (_, i) => key('sk-proj-', i)), ...Array.from({ length: 10 }, (_, i) => key('sk-ant-api03-', i))]).forRequest()],
  ['3 pool keys + BYOK', new Redactor([key('sk-proj-', 1), key('sk-proj-', 2), key('sk-ant-api03-', 1)]).forRequest(key('sk-client-', 9))],
];

/** Fastest of 7 runs, in ns per event, of `work()` covering `events` events (the machine is shared: the minimum is the least disturbed). */
function nsPerEvent(events, work) {
  for (let i = 0; i < 2_000; i++) work(); // warm-up
  let best = Infinity;
  for (let r = 0; r < 7; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < ROUNDS; i++) work();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / (ROUNDS * events));
  }
  return best;
}

console.log(`node ${process.version}, ${ROUNDS} rounds per stream`);
for (const [api, body, observer] of streams) {
  const decoded = new SseDecoder().push(body);
  const base = nsPerEvent(decoded.length, () => {
    const o = observer();
    for (const e of new SseDecoder().push(body)) o.accept(e);
  });
  const slow = decoded.filter((e) => e.raw.includes('\\u') || e.raw.includes('sk-')).length;
  console.log(`${api} (${decoded.length} events, ${body.length} bytes, ${slow} with \\u or sk-): decode + observe ${base.toFixed(0)} ns/event`);
  for (const [name, scrub] of redactors) {
    const cost = nsPerEvent(decoded.length, () => redactEvents(decoded.slice(), scrub));
    console.log(`  redactEvents, ${name}: ${cost.toFixed(0)} ns/event (${((100 * cost) / base).toFixed(1)}% of decode + observe)`);
  }
}
const json = loadTranscripts('openai')['chat-completion'].body;
for (const [name, scrub] of redactors) {
  const ns = nsPerEvent(1, () => scrub.bytes(json));
  console.log(`blocking 2xx JSON (${json.length} bytes), ${name}: ${ns.toFixed(0)} ns per body`);
}
