// The Anthropic API of the fake: Messages (scripted tool turns, bench shapes, transcripts), models, count_tokens; its key check and error shape.
'use strict';

const { loadTranscripts } = require('../transcripts');
const { SSE_HEADERS, sendBuffer, sendJson, sendTurn } = require('../sse');
const { renderMessage, renderMessageEvents } = require('../anthropic-render');
const { benchShape } = require('../bench-shape');
const { freshId, freshRequestId, safeDecode, wordTokens } = require('../generated');
const { toolUseTurn, quoteToolResults, messageTexts } = require('./anthropic-turns');
const { createAnthropicBenchFrames } = require('./anthropic-bench');
const { checkAnthropicTools } = require('../tool-checks');

const isObject = (v) => !!v && typeof v === 'object' && !Array.isArray(v);

/** An API description for the server: `claims`, `credential`, `errorBody`, `errors`, `requiredHeaders`, `routes`. */
function createAnthropicApi(config) {
  const t = loadTranscripts('anthropic');
  const benchFrames = createAnthropicBenchFrames();

  /** A generated answer (a tool result quoted): word-counted usage, a fresh id, the request's model. */
  function answerText(ctx, body, text) {
    const step = { text, usage: { input_tokens: wordTokens(messageTexts(body.messages)), output_tokens: text.split(/\s+/).filter(Boolean).length } };
    const opts = { id: freshId('msg_'), model: typeof body.model === 'string' ? body.model : undefined };
    const headers = { 'request-id': freshRequestId() };
    if (body.stream !== true) return sendJson(ctx.res, 200, renderMessage(step, opts), headers);
    return ctx.stream({ ...SSE_HEADERS, ...headers }, renderMessageEvents(step, opts), config.chunkDelayMs);
  }

  function messages(ctx) {
    const body = ctx.req.json;
    if (!isObject(body)) return ctx.error(400, 'invalid_request_error', 'The request body is not valid JSON.');
    const streamed = body.stream === true;
    const call = toolUseTurn(config.tools, body);
    if (call) return sendTurn(ctx, streamed, call.frames, call.json, config.chunkDelayMs);
    const quote = quoteToolResults(config.tools, body.messages);
    if (quote !== undefined) return answerText(ctx, body, quote);
    const bench = benchShape(body);
    if (bench) return ctx.stream(SSE_HEADERS, benchFrames(bench.chunks), bench.delayMs);
    const answer = streamed ? t['message-stream'] : t.message;
    if (!streamed) return sendBuffer(ctx.res, answer.status, answer.headers, answer.body);
    return ctx.stream(answer.headers, answer.events, config.chunkDelayMs);
  }

  function countTokens(ctx) {
    const body = ctx.req.json;
    if (!isObject(body)) return ctx.error(400, 'invalid_request_error', 'The request body is not valid JSON.');
    return sendJson(ctx.res, 200, { input_tokens: wordTokens(messageTexts(body.messages)) });
  }

  return {
    name: 'anthropic',
    claims: (headers) => headers['anthropic-version'] !== undefined || headers['x-api-key'] !== undefined,
    credential(headers) {
      const key = headers['x-api-key'];
      if (typeof key === 'string') return key;
      const auth = headers.authorization;
      return typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
    },
    errorBody: (type, message) => ({ type: 'error', error: { type, message } }),
    checkRequest: checkAnthropicTools,
    errors: {
      unauthorized: { status: 401, type: 'authentication_error', message: 'invalid x-api-key' },
      rateLimited: { status: 429, type: 'rate_limit_error', message: 'Number of requests has exceeded your per-minute rate limit.' },
      tooLarge: { status: 413, type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
      notFound: (method, path) => ({ status: 404, type: 'not_found_error', message: `Not found: ${method} ${path}` }),
      internal: (message) => ({ status: 500, type: 'api_error', message }),
    },
    requiredHeaders: ['anthropic-version'],
    routes: [
      { method: 'POST', path: '/v1/messages', handle: messages },
      { method: 'POST', path: '/v1/messages/count_tokens', handle: countTokens },
      { method: 'GET', path: '/v1/models', handle: (ctx) => sendBuffer(ctx.res, t.models.status, t.models.headers, t.models.body) },
      {
        method: 'GET',
        path: /^\/v1\/models\/([^/]+)$/,
        handle: (ctx, m) => sendJson(ctx.res, 200, { type: 'model', id: safeDecode(m[1]), display_name: safeDecode(m[1]), created_at: '2025-01-01T00:00:00Z' }),
      },
    ],
  };
}

module.exports = { createAnthropicApi };
