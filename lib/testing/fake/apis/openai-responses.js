// POST /v1/responses: scripted tool turns, then the bench's stream shapes, then the transcripts.
'use strict';

const { loadTranscripts } = require('../transcripts');
const { SSE_HEADERS, sendBuffer, sendJson, sendTurn } = require('../sse');
const { responseObject, outputItems, responsesUsage, responseEvents } = require('../responses-render');
const { benchShape } = require('../bench-shape');
const { freshId, freshRequestId, words, wordTokens } = require('../generated');
const { functionCallTurn, quoteFunctionOutputs, inputTexts } = require('./responses-turns');
const { createResponsesBenchFrames } = require('./responses-bench');

/** The Responses handler for one fake; `config` is the fake's resolved options. */
function createResponses(config) {
  const t = loadTranscripts('responses');
  const benchFrames = createResponsesBenchFrames();

  /** A generated answer (a tool output quoted): word-counted usage, fresh ids, the request's model, tools and flags. */
  function answerText(ctx, body, text) {
    const id = freshId('resp_');
    const step = { text, usage: { input_tokens: wordTokens(inputTexts(body.input)), output_tokens: words(text).length } };
    const itemId = freshId('msg_');
    const ids = { item: () => itemId };
    const headers = { 'x-request-id': freshRequestId() };
    if (body.stream !== true) return sendJson(ctx.res, 200, responseObject(id, 'completed', outputItems(step, ids), responsesUsage(step), body), headers);
    return ctx.stream({ ...SSE_HEADERS, ...headers }, responseEvents(step, { id, body, ids }), config.chunkDelayMs);
  }

  return function responses(ctx) {
    const body = ctx.req.json;
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return ctx.error(400, 'invalid_request_error', 'We could not parse the JSON body of your request.', null);
    }
    const streamed = body.stream === true;
    const call = functionCallTurn(config.tools, body);
    if (call) return sendTurn(ctx, streamed, call.frames, call.json, config.chunkDelayMs);
    const quote = quoteFunctionOutputs(config.tools, body.input);
    if (quote !== undefined) return answerText(ctx, body, quote);
    const bench = benchShape(body);
    if (bench) return ctx.stream(SSE_HEADERS, benchFrames(bench.chunks), bench.delayMs);
    if (!streamed) return sendBuffer(ctx.res, t.response.status, t.response.headers, t.response.body);
    const stream = t['response-stream'];
    return ctx.stream(stream.headers, stream.events, config.chunkDelayMs);
  };
}

module.exports = { createResponses };
