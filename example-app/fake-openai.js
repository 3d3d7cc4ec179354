/** A small offline stand-in for the OpenAI API (chat completions, blocking and SSE, and the model list) so the example runs without a key. */
'use strict';

const http = require('node:http');
const { randomBytes } = require('node:crypto');

const MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini'];
const FAKE_DEFAULTS = { chunkDelayMs: 30, maxBodyBytes: 1024 * 1024 };

function words(text) {
  return text.split(/\s+/).filter(Boolean);
}

/** Text of a message's `content`, which is a string or an array of parts. */
function contentText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (part && typeof part.text === 'string' ? part.text : '')).join(' ');
  return '';
}

/** A short, deterministic answer that shows the request really reached the upstream. */
function answerFor(messages) {
  const lastUser = [...messages].reverse().find((m) => m && m.role === 'user');
  const asked = words(contentText(lastUser && lastUser.content)).slice(0, 12).join(' ');
  return asked
    ? `This is the fake OpenAI upstream answering through express-aibridge. You asked: "${asked}". The bridge recorded who asked, the model and the tokens.`
    : 'This is the fake OpenAI upstream answering through express-aibridge.';
}

/** Token counts are word counts: not what tiktoken says, but the right order of magnitude. */
function usageFor(messages, answer) {
  const prompt = messages.reduce((n, m) => n + 3 + words(contentText(m && m.content)).length, 3);
  const completion = words(answer).length;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${randomBytes(12).toString('hex')}` });
  res.end(JSON.stringify(body));
}

function sendError(res, status, type, message, code = null) {
  sendJson(res, status, { error: { message, type, param: null, code } });
}

function completion(id, model, answer, usage) {
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: answer, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
    usage,
    service_tier: 'default',
    system_fingerprint: 'fp_fake0001',
  };
}

/** Streams `answer` one word per chunk, the way the real API frames a chat.completion.chunk sequence. */
function streamCompletion(res, { id, model, answer, usage, includeUsage, delayMs }) {
  const created = Math.floor(Date.now() / 1000);
  const base = { id, object: 'chat.completion.chunk', created, model, service_tier: 'default', system_fingerprint: 'fp_fake0001' };
  // With include_usage the real API sends `usage: null` on every chunk, then one usage-only chunk.
  const usageField = includeUsage ? { usage: null } : {};
  const chunk = (delta, finish) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...usageField });
  const pieces = answer.split(/(?=\s)/);
  const events = [
    chunk({ role: 'assistant', content: '', refusal: null }, null),
    ...pieces.map((piece) => chunk({ content: piece }, null)),
    chunk({}, 'stop'),
  ];
  if (includeUsage) events.push({ ...base, choices: [], usage });

  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': `req_${randomBytes(12).toString('hex')}` });
  let next = 0;
  let timer;
  // The client (the bridge) may go away mid-answer; stop writing instead of queueing chunks for nobody.
  res.on('close', () => clearTimeout(timer));
  const write = () => {
    if (res.destroyed) return;
    if (next < events.length) {
      res.write(`data: ${JSON.stringify(events[next++])}\n\n`);
      timer = setTimeout(write, delayMs);
      return;
    }
    res.end('data: [DONE]\n\n');
  };
  write();
}

function chatCompletions(res, body, delayMs) {
  if (!body || typeof body.model !== 'string' || !Array.isArray(body.messages) || body.messages.length === 0) {
    return sendError(res, 400, 'invalid_request_error', 'Both `model` and a non-empty `messages` array are required.', 'missing_required_parameter');
  }
  const id = `chatcmpl-${randomBytes(12).toString('base64url')}`;
  const answer = answerFor(body.messages);
  const usage = usageFor(body.messages, answer);
  if (body.stream === true) {
    const includeUsage = !!(body.stream_options && body.stream_options.include_usage === true);
    return streamCompletion(res, { id, model: body.model, answer, usage, includeUsage, delayMs });
  }
  sendJson(res, 200, completion(id, body.model, answer, usage));
}

function route(req, res, body, options) {
  const path = req.url.split('?')[0];
  const auth = req.headers.authorization || '';
  // Only the bridge's pool key is accepted: a client token leaking upstream would show up as a 401 here.
  if (!options.keys.some((key) => auth === `Bearer ${key}`)) {
    return sendError(res, 401, 'invalid_request_error', 'Incorrect API key provided.', 'invalid_api_key');
  }
  if (req.method === 'POST' && path === '/v1/chat/completions') {
    let json;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return sendError(res, 400, 'invalid_request_error', 'The request body is not valid JSON.');
    }
    return chatCompletions(res, json, options.chunkDelayMs);
  }
  if (req.method === 'GET' && path === '/v1/models') {
    return sendJson(res, 200, { object: 'list', data: MODELS.map((id) => ({ id, object: 'model', created: 1_715_367_049, owned_by: 'system' })) });
  }
  const model = /^\/v1\/models\/([^/]+)$/.exec(path);
  if (req.method === 'GET' && model && MODELS.includes(decodeURIComponent(model[1]))) {
    return sendJson(res, 200, { id: decodeURIComponent(model[1]), object: 'model', created: 1_715_367_049, owned_by: 'system' });
  }
  sendError(res, 404, 'invalid_request_error', `Unknown request URL: ${req.method} ${path}.`, 'unknown_url');
}

/**
 * Starts the fake on 127.0.0.1 (port 0 unless given) and resolves to `{ baseURL, close() }`.
 * `keys` are the API keys it accepts; `chunkDelayMs` defaults to 30.
 */
async function startFakeOpenAI(options) {
  const config = { ...FAKE_DEFAULTS, port: 0, ...options };
  if (!Array.isArray(config.keys) || config.keys.length === 0) throw new TypeError('startFakeOpenAI: `keys` must list the API keys the fake accepts.');

  const server = http.createServer(function fakeOpenAI(req, res) {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= config.maxBodyBytes) chunks.push(c);
    });
    req.on('end', () => {
      if (size > config.maxBodyBytes) return sendError(res, 413, 'invalid_request_error', 'Request body too large.');
      route(req, res, Buffer.concat(chunks), config);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

module.exports = { startFakeOpenAI, FAKE_MODELS: MODELS };
