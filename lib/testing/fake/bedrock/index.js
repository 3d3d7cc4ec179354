// A fake Bedrock runtime: checks SigV4 signatures (or API keys) and Bedrock's body rules, answers from the Anthropic fake behind it as event-stream frames.
'use strict';

const http = require('node:http');
const { startFakeUpstream } = require('../server');
const { verify } = require('./sigv4');
const { chunkFrame, exceptionFrame, withInvocationMetrics } = require('./frames');
const { writeFrames } = require('../sse');
const { BENCH_MODEL } = require('../bench-shape');

const INVOKE = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream)$/;
const ANTHROPIC_VERSION = 'bedrock-2023-05-31';
/** The betas this fake knows; any other in `anthropic_beta` is refused like Bedrock does. */
const KNOWN_BETAS = new Set([
  'interleaved-thinking-2025-05-14', 'token-efficient-tools-2025-02-19', 'context-1m-2025-08-07', 'output-128k-2025-02-19',
  'fine-grained-tool-streaming-2025-05-14', 'context-management-2025-06-27',
]);
const ALLOWED_FIELDS = new Set([
  'anthropic_version', 'anthropic_beta', 'max_tokens', 'messages', 'system', 'temperature', 'top_p', 'top_k', 'stop_sequences',
  'tools', 'tool_choice', 'thinking', 'metadata', 'context_management', 'output_config',
]);
const ERROR_TYPES = { 400: 'ValidationException', 403: 'AccessDeniedException', 404: 'ResourceNotFoundException', 429: 'ThrottlingException', 503: 'ServiceUnavailableException', 529: 'ServiceUnavailableException' };
/** Distinct requests whose answers `reuseAnswers` keeps; past it, answers are built per request. */
const MAX_REUSED_ANSWERS = 32;
/** Anthropic's mid-stream error types as Bedrock's stream exceptions. */
const STREAM_EXCEPTIONS = { overloaded_error: 'serviceUnavailableException', rate_limit_error: 'throttlingException', api_error: 'internalServerException' };

const STREAM_HEADERS = { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'req-fake', 'x-amzn-bedrock-content-type': 'application/json' };

function bedrockError(res, status, type, message) {
  const body = JSON.stringify({ message });
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-requestid': 'req-fake', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** Why Bedrock would refuse this body, or undefined. */
function refusal(json) {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return 'Malformed input request, please reformat your input and try again.';
  if (json.anthropic_version !== ANTHROPIC_VERSION) return 'Malformed input request: #: required key [anthropic_version] not found';
  for (const key of Object.keys(json)) if (!ALLOWED_FIELDS.has(key)) return `Malformed input request: #: extraneous key [${key}] is not permitted`;
  if (json.anthropic_beta !== undefined) {
    if (!Array.isArray(json.anthropic_beta)) return 'Malformed input request: #/anthropic_beta: expected type: JSONArray';
    const unknown = json.anthropic_beta.find((b) => !KNOWN_BETAS.has(b));
    if (unknown !== undefined) return `invalid beta flag: ${unknown}`;
  }
  return undefined;
}

/** SSE text → `[event, data]` pairs. */
function sseEvents(text) {
  const out = [];
  for (const block of text.split('\n\n')) {
    let event = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length > 0) out.push([event, data.join('\n')]);
  }
  return out;
}

/**
 * Starts the fake on 127.0.0.1. Options: `region` (default `us-east-1`), `credentials` (access keys it accepts, each
 * `{ accessKeyId, secretAccessKey, sessionToken? }`), `apiKeys` (bearer keys it accepts), `upstream` (a running fake upstream to
 * answer from, left running on close; default: one of its own). Scripts go on `inner.behaviour` (the Anthropic fake:
 * `anthropicScript([...])`). Faults: `throttled` (access key ids or API keys answered 429
 * `ThrottlingException`), `expired` (session tokens refused as expired), `streamException` (`{ afterEvents, type,
 * message }`: the next stream ends with that exception frame after that many events), `frameDelayMs` (paces streams).
 * `streams` counts streams that ended `completed` or `closedEarly` (the client went away).
 *
 * For the bench: `recordRequests: false` keeps no request log; `reuseAnswers: true` answers a request whose path and
 * body were seen before (signature still checked) from the buffers prepared for the first one, a stream one whole frame
 * per write (`bench-s<chunks>-d<delayMs>` paced by its `delayMs`), so that the bench measures the bridge, not the fake.
 */
async function startFakeBedrock(options = {}) {
  const ownInner = !options.upstream;
  const inner = options.upstream || await startFakeUpstream();
  const fake = {
    url: '', inner, region: options.region || 'us-east-1',
    credentials: [...(options.credentials || [])], apiKeys: [...(options.apiKeys || [])],
    requests: [], throttled: new Set(), expired: new Set(), streamException: undefined, frameDelayMs: 0,
    streams: { completed: 0, closedEarly: 0 },
    close: async () => undefined,
  };
  const recordRequests = options.recordRequests !== false;
  const reused = options.reuseAnswers === true ? new Map() : undefined;

  /** A request seen before: its prepared answer, sent again. */
  function answerAgain(res, prepared) {
    if (!prepared.frames) return void res.writeHead(200, prepared.headers).end(prepared.body);
    countStream(res);
    writeFrames(res, 200, prepared.headers, prepared.frames, prepared.delayMs);
  }

  function countStream(res) {
    res.once('close', () => {
      if (res.writableFinished) fake.streams.completed++;
      else fake.streams.closedEarly++;
    });
  }

  async function answer(req, res, body) {
    const checked = await verify(req, body, fake);
    const [path] = req.url.split('?');
    const reuseKey = reused && checked.ok && !fake.throttled.has(checked.auth.kind === 'bearer' ? checked.auth.key : checked.auth.accessKeyId)
      ? `${req.method} ${path}\n${body.toString('latin1')}` : undefined;
    const prepared = reuseKey === undefined ? undefined : reused.get(reuseKey);
    if (prepared) return answerAgain(res, prepared);
    let json;
    try { json = JSON.parse(body.toString('utf8')); } catch { json = undefined; }
    const match = INVOKE.exec(path);
    const modelId = match ? decodeURIComponent(match[1]) : undefined;
    if (recordRequests) fake.requests.push({ method: req.method, url: req.url, path, modelId, headers: req.headers, body, json, auth: checked.ok ? checked.auth : undefined });
    if (!checked.ok) return bedrockError(res, checked.status, checked.type, checked.message);
    const who = checked.auth.kind === 'bearer' ? checked.auth.key : checked.auth.accessKeyId;
    if (fake.throttled.has(who)) return bedrockError(res, 429, 'ThrottlingException', 'Too many requests, please wait before trying again.');
    if (!match || req.method !== 'POST') return bedrockError(res, 404, 'UnknownOperationException', 'Unknown operation.');
    const refused = refusal(json);
    if (refused) return bedrockError(res, 400, 'ValidationException', refused);
    const streaming = match[2] === 'invoke-with-response-stream';
    const { anthropic_version: _v, anthropic_beta: _b, ...rest } = json;
    const forwarded = await fetch(`${inner.origin}/v1/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'inner', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: modelId, ...rest, stream: streaming }),
    });
    const text = await forwarded.text();
    if (forwarded.status >= 400) {
      let message = text;
      try { message = JSON.parse(text).error.message; } catch { /* as it is */ }
      return bedrockError(res, forwarded.status === 529 ? 503 : forwarded.status, ERROR_TYPES[forwarded.status] || 'InternalServerException', message);
    }
    if (!streaming) {
      const headers = { 'content-type': 'application/json', 'x-amzn-requestid': 'req-fake', 'x-amzn-bedrock-input-token-count': '10' };
      if (reuseKey !== undefined && reused.size < MAX_REUSED_ANSWERS) reused.set(reuseKey, { headers, body: Buffer.from(text) });
      res.writeHead(200, headers);
      return void res.end(text);
    }
    if (reuseKey !== undefined && reused.size < MAX_REUSED_ANSWERS && fake.streamException === undefined) {
      const shape = BENCH_MODEL.exec(modelId);
      const ready = { headers: STREAM_HEADERS, frames: streamFrames(sseEvents(text)), delayMs: shape ? Number(shape[2]) : fake.frameDelayMs };
      reused.set(reuseKey, ready);
      return answerAgain(res, ready);
    }
    writeStream(res, sseEvents(text));
  }

  /** The frames of a stream: each event as a chunk, a scripted exception (or an Anthropic error event) as an exception frame. */
  function streamFrames(events) {
    const exception = fake.streamException;
    fake.streamException = undefined;
    const frames = [];
    let usage = { input: 0, output: 0 };
    for (let i = 0; i < events.length; i++) {
      if (exception && i === exception.afterEvents) return [...frames, exceptionFrame(exception.type, exception.message)];
      const [event, data] = events[i];
      if (event === 'error') {
        let type = 'api_error';
        let message = 'error';
        try { ({ type, message } = JSON.parse(data).error); } catch { /* defaults */ }
        return [...frames, exceptionFrame(STREAM_EXCEPTIONS[type] || 'internalServerException', message)];
      }
      try {
        const parsed = JSON.parse(data);
        if (parsed.type === 'message_start') usage = { input: parsed.message.usage.input_tokens, output: 0 };
        if (parsed.type === 'message_delta' && parsed.usage) usage = { ...usage, output: parsed.usage.output_tokens };
      } catch { /* sent as it is */ }
      frames.push(chunkFrame(event === 'message_stop' ? withInvocationMetrics(data, usage) : data));
    }
    return frames;
  }

  /** Writes the frames, each in two parts split mid-frame, `frameDelayMs` apart; stops when the client goes away. */
  function writeStream(res, events) {
    const frames = streamFrames(events);
    const delayMs = fake.frameDelayMs;
    res.writeHead(200, STREAM_HEADERS);
    countStream(res);
    let i = 0;
    const next = () => {
      if (res.destroyed) return;
      if (i === frames.length) return void res.end();
      const frame = frames[i];
      const cut = 1 + (i % (frame.length - 1));
      i++;
      res.write(frame.subarray(0, cut));
      res.write(frame.subarray(cut));
      if (delayMs > 0) setTimeout(next, delayMs);
      else next();
    };
    next();
  }

  const server = http.createServer(function fakeBedrock(req, res) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      answer(req, res, Buffer.concat(chunks)).catch((err) => {
        if (res.headersSent) return void res.destroy();
        bedrockError(res, 500, 'InternalServerException', `fake bedrock: ${err && err.message}`);
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${server.address().port}`;
  fake.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(() => resolve()));
    if (ownInner) await inner.close();
  };
  return fake;
}

module.exports = { startFakeBedrock, KNOWN_BETAS };
