// A hostile upstream for bench/trust.js: huge hidden tool arguments, endless tool calls, a byte every 100 ms.
'use strict';
const http = require('node:http');

const MB = 1e6;
const CHUNK = 64 * 1024;
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

const sse = (obj, event) => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(obj)}\n\n`;
const chatChunk = (delta, finish = null) => sse({ id: 'chatcmpl-trust', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });

/** Resolves when `res` drains or closes, leaving no listener behind. */
function drained(res) {
  return new Promise((resolve) => {
    const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Streams `head`, then `frame(piece)` with 64 KB pieces until `totalBytes` of payload or the bridge hangs up. */
async function pump(res, head, frame, totalBytes, tail, stats) {
  res.writeHead(200, SSE_HEADERS);
  res.write(head);
  const piece = 'x'.repeat(CHUNK);
  const framed = frame(piece); // the same frame every time: the upstream's own memory stays flat
  let sent = 0;
  while (sent < totalBytes && !res.destroyed) {
    if (!res.write(framed)) await drained(res);
    sent += CHUNK;
    stats.payloadSent = sent;
  }
  if (!res.destroyed) res.end(tail);
}

/** 300 MB (by default) of arguments of an injected tool's call: hidden from the client, so only an observer could keep them. */
const hiddenArgs = {
  chat: (res, n, stats) => pump(res,
    chatChunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_big', type: 'function', function: { name: 'bmcp_bench_big', arguments: '' } }] }),
    (p) => chatChunk({ tool_calls: [{ index: 0, function: { arguments: p } }] }), n,
    chatChunk({}, 'tool_calls') + 'data: [DONE]\n\n', stats),
  responses: (res, n, stats) => pump(res,
    sse({ type: 'response.created', response: { id: 'resp_trust', object: 'response', status: 'in_progress', output: [] } }, 'response.created')
      + sse({ type: 'response.output_item.added', output_index: 0, item: { type: 'function_call', id: 'fc_1', call_id: 'call_big', name: 'bmcp_bench_big', arguments: '' } }, 'response.output_item.added'),
    (p) => sse({ type: 'response.function_call_arguments.delta', output_index: 0, item_id: 'fc_1', delta: p }, 'response.function_call_arguments.delta'), n, '', stats),
  messages: (res, n, stats) => pump(res,
    sse({ type: 'message_start', message: { id: 'msg_trust', type: 'message', role: 'assistant', model: 'm', content: [], usage: { input_tokens: 1, output_tokens: 1 } } }, 'message_start')
      + sse({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_big', name: 'bmcp_bench_big', input: {} } }, 'content_block_start'),
    (p) => sse({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: p } }, 'content_block_delta'), n, '', stats),
  // Visible to the client, and kept by the observer for the thought record.
  thinking: (res, n, stats) => pump(res,
    sse({ type: 'message_start', message: { id: 'msg_trust', type: 'message', role: 'assistant', model: 'm', content: [], usage: { input_tokens: 1, output_tokens: 1 } } }, 'message_start')
      + sse({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } }, 'content_block_start'),
    (p) => sse({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: p } }, 'content_block_delta'), n, '', stats),
  // Arguments of a call in choice 1 that never says its name: the hiding filter holds them until the name comes.
  unnamed: (res, n, stats) => pump(res,
    chatChunk({ role: 'assistant', content: '' }),
    (p) => sse({ id: 'chatcmpl-trust', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 1, delta: { tool_calls: [{ index: 0, function: { arguments: p } }] }, finish_reason: null }] }), n,
    chatChunk({}, 'stop') + 'data: [DONE]\n\n', stats),
  // Plain visible text: relayed as it comes, nothing should keep it.
  text: (res, n, stats) => pump(res, chatChunk({ role: 'assistant', content: '' }), (p) => chatChunk({ content: p }), n,
    chatChunk({}, 'stop') + 'data: [DONE]\n\n', stats),
};

/** A tool loop that never ends on its own: while tools are offered, four calls of the 60 MB tool per turn. */
function loopTurn(res, body, stats) {
  const offered = body.includes('"tools":');
  stats.loopCalls++;
  stats.largestLoopBody = Math.max(stats.largestLoopBody, body.length);
  const message = offered
    ? { role: 'assistant', content: null, tool_calls: [0, 1, 2, 3].map((i) => ({ id: `call_${stats.loopCalls}_${i}`, type: 'function', function: { name: 'bmcp_bench_big', arguments: '{}' } })) }
    : { role: 'assistant', content: 'done' };
  const json = JSON.stringify({ id: `chatcmpl-loop${stats.loopCalls}`, object: 'chat.completion', created: 1, model: 'm',
    choices: [{ index: 0, message, finish_reason: offered ? 'tool_calls' : 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/** A head at once, then one byte every 100 ms, forever: only a total deadline ends it. */
function drip(res, contentType, byte) {
  res.writeHead(200, { 'content-type': contentType });
  const timer = setInterval(() => { if (!res.destroyed) res.write(byte); }, 100);
  res.on('close', () => clearInterval(timer));
}

/** Starts the hostile upstream on 127.0.0.1; `stats` counts what it sent and saw. */
function startHostileUpstream({ argsBytes = 300 * MB } = {}) {
  const stats = { payloadSent: 0, loopCalls: 0, largestLoopBody: 0, dripClosedAfterMs: [] };
  const server = http.createServer(async (req, res) => {
    const parts = [];
    for await (const c of req) parts.push(c);
    const body = Buffer.concat(parts).toString('utf8');
    const model = (/"model"\s*:\s*"([^"]+)"/.exec(body.slice(0, 4096)) || [])[1] || '';
    const t0 = Date.now();
    res.on('close', () => { if (model.startsWith('drip') || req.url.endsWith('/models')) stats.dripClosedAfterMs.push(Date.now() - t0); });
    if (req.url.endsWith('/models')) return drip(res, 'application/json', ' ');
    if (model === 'drip-stream') return drip(res, 'text/event-stream', ':');
    if (model === 'drip') return drip(res, 'application/json', ' ');
    if (model === 'loop') return loopTurn(res, body, stats);
    const shape = hiddenArgs[model];
    if (shape) return shape(res, argsBytes, stats).catch(() => res.destroy());
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"unknown model","type":"invalid_request_error","code":null}}');
  });
  // Longer than the bridge's keep-alive: a busy upstream (this one parses 30 MB bodies) must not close a pooled
  // connection the bridge is about to reuse, which would show as an unrelated 502.
  server.keepAliveTimeout = 120_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    origin: `http://127.0.0.1:${server.address().port}`,
    stats,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  })));
}

module.exports = { startHostileUpstream, MB };
