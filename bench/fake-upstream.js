// Fake OpenAI upstream for the benchmark: chat completions as JSON or SSE (chunk count and pacing from the model name), one call of an injected no-op tool.
'use strict';
const http = require('node:http');
const { serveIpc, announce } = require('./targets/ipc');

/** Streams in progress and how they ended, so the orchestrator can see whether aborts reach the upstream. */
const streams = { active: 0, completed: 0, closedEarly: 0 };

const COMPLETION = Buffer.from(JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: 1_700_000_000, model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?', refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
  system_fingerprint: 'fp_bench',
}));
const MODELS = Buffer.from(JSON.stringify({
  object: 'list',
  data: ['gpt-4o-mini', 'gpt-4o', 'o3-mini', 'text-embedding-3-small'].map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'system' })),
}));
const RATE_LIMITED = Buffer.from(JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }));
const JSON_HEADERS = { 'content-type': 'application/json', 'x-request-id': 'req_bench', 'openai-processing-ms': '1' };
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': 'req_bench', 'openai-processing-ms': '1' };

const event = (obj) => Buffer.from(`data: ${JSON.stringify(obj)}\n\n`);
const chunk = (delta, finish, extra) => event({
  id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o-mini',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra,
});
const FIRST = chunk({ role: 'assistant', content: '' }, null);
const TOKEN = chunk({ content: 'tok ' }, null);
const STOP = chunk({}, 'stop');
const USAGE = event({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 12, completion_tokens: 200, total_tokens: 212 } });
const DONE = Buffer.from('data: [DONE]\n\n');

// With the bridge's injected no-op tool offered and not yet answered, the model calls it once.
const TOOL_NAME = 'bmcp_bench_noop';
const TOOL_CALL = { id: 'call_bench', type: 'function', function: { name: TOOL_NAME, arguments: '{}' } };
const TOOL_COMPLETION = Buffer.from(JSON.stringify({
  id: 'chatcmpl-bench-tool', object: 'chat.completion', created: 1_700_000_000, model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [TOOL_CALL], refusal: null }, logprobs: null, finish_reason: 'tool_calls' }],
  usage: { prompt_tokens: 30, completion_tokens: 5, total_tokens: 35 },
}));
const TOOL_EVENTS = [
  chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, ...TOOL_CALL, function: { name: TOOL_NAME, arguments: '' } }] }, null),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] }, null),
  chunk({}, 'tool_calls'),
];

function wantsTool(body) {
  return Array.isArray(body.tools) && body.tools.some((t) => t && t.function && t.function.name === TOOL_NAME)
    && !body.messages.some((m) => m && m.role === 'tool');
}

/** `bench-s<chunks>-d<delayMs>` → stream shape; anything else gets defaults. */
function streamShape(model) {
  const m = /^bench-s(\d+)-d(\d+)$/.exec(typeof model === 'string' ? model : '');
  return m ? { chunks: Number(m[1]), delayMs: Number(m[2]) } : { chunks: 200, delayMs: 0 };
}

function stream(res, body) {
  const { chunks, delayMs } = streamShape(body.model);
  const events = wantsTool(body) ? [...TOOL_EVENTS] : [FIRST];
  if (!wantsTool(body)) {
    for (let i = 2; i < chunks; i++) events.push(TOKEN);
    events.push(STOP);
  }
  if (body.stream_options && body.stream_options.include_usage) events.push(USAGE);
  events.push(DONE);
  res.writeHead(200, SSE_HEADERS);
  streams.active++;
  res.once('close', () => {
    streams.active--;
    if (res.writableFinished) streams.completed++;
    else streams.closedEarly++;
  });
  if (delayMs === 0) {
    for (const e of events) res.write(e);
    res.end();
    return;
  }
  let i = 0;
  let timer;
  const next = () => {
    res.write(events[i++]);
    if (i === events.length) res.end();
    else timer = setTimeout(next, delayMs);
  };
  res.once('close', () => clearTimeout(timer));
  next();
}

function handle(req, res, raw) {
  const path = req.url.split('?')[0];
  if (req.method === 'GET' && path === '/v1/models') {
    res.writeHead(200, { ...JSON_HEADERS, 'content-length': MODELS.length });
    return res.end(MODELS);
  }
  if (req.method !== 'POST' || path !== '/v1/chat/completions') {
    res.writeHead(404, JSON_HEADERS);
    return res.end('{"error":{"message":"not found"}}');
  }
  if (req.headers.authorization === 'Bearer sk-cool') {
    res.writeHead(429, { ...JSON_HEADERS, 'retry-after': '3600', 'content-length': RATE_LIMITED.length });
    return res.end(RATE_LIMITED);
  }
  let body;
  try {
    body = JSON.parse(raw);
  } catch {
    res.writeHead(400, JSON_HEADERS);
    return res.end('{"error":{"message":"bad json"}}');
  }
  if (body.stream === true) return stream(res, body);
  const answer = wantsTool(body) ? TOOL_COMPLETION : COMPLETION;
  res.writeHead(200, { ...JSON_HEADERS, 'content-length': answer.length });
  res.end(answer);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => handle(req, res, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.requestTimeout = 0;
server.maxHeadersCount = 0;
serveIpc({ streams: () => ({ ...streams }) });
server.listen(0, '127.0.0.1', () => announce(server));
