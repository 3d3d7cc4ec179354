// POST /v1/embeddings (float or base64 vectors) and the legacy POST /v1/completions (blocking and streamed) of the fake.
'use strict';

const { SSE_HEADERS, sseFrame, sendJson } = require('../sse');
const { freshId, freshRequestId, words, wordTokens } = require('../generated');

const DIMENSIONS = 8;

/** A vector that depends on the text only, so that tests can compare two embeddings of the same text. */
function vectorOf(text) {
  const v = new Array(DIMENSIONS).fill(0);
  for (let i = 0; i < text.length; i++) v[i % DIMENSIONS] += (text.charCodeAt(i) % 31) / 31;
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => Math.fround(x / norm));
}

function textOf(input) {
  return typeof input === 'string' ? input : Array.isArray(input) ? input.join(' ') : '';
}

function jsonBody(ctx) {
  const body = ctx.req.json;
  if (body && typeof body === 'object' && !Array.isArray(body)) return body;
  ctx.error(400, 'invalid_request_error', 'We could not parse the JSON body of your request.', null);
  return undefined;
}

/** Embeddings: one vector per input (a string, an array of strings or of token arrays), usage counted in words. The vectors are 8 floats. */
function createEmbeddings() {
  return function embeddings(ctx) {
    const body = jsonBody(ctx);
    if (!body) return undefined;
    if (body.input === undefined || body.input === null) return ctx.error(400, 'invalid_request_error', "'input' is a required property", null);
    const inputs = typeof body.input === 'string' || (Array.isArray(body.input) && body.input.every((x) => typeof x === 'number')) ? [body.input] : body.input;
    const base64 = body.encoding_format === 'base64';
    const data = inputs.map((input, index) => {
      const vector = vectorOf(Array.isArray(input) ? input.join(',') : String(input));
      return { object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector };
    });
    // Embeddings have no per-message overhead: one token per word (or per token id given).
    const tokens = inputs.reduce((n, i) => n + (Array.isArray(i) ? i.length : words(String(i)).length), 0);
    return sendJson(ctx.res, 200, { object: 'list', data, model: typeof body.model === 'string' ? body.model : 'text-embedding-3-small', usage: { prompt_tokens: tokens, total_tokens: tokens } }, { 'x-request-id': freshRequestId() });
  };
}

/** Legacy completions: the prompt echoed back after `Echo:`, blocking or streamed word by word, with usage when asked. */
function createCompletions(config) {
  return function completions(ctx) {
    const body = jsonBody(ctx);
    if (!body) return undefined;
    const prompt = textOf(body.prompt);
    const text = ` Echo: ${words(prompt).slice(0, 12).join(' ')}`;
    const usage = { prompt_tokens: wordTokens([prompt]), completion_tokens: words(text).length };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const head = { id: freshId('cmpl-'), object: 'text_completion', created: 1_760_000_000, model: typeof body.model === 'string' ? body.model : 'gpt-3.5-turbo-instruct' };
    const headers = { 'x-request-id': freshRequestId() };
    if (body.stream !== true) {
      return sendJson(ctx.res, 200, { ...head, choices: [{ text, index: 0, logprobs: null, finish_reason: 'stop' }], usage }, headers);
    }
    const includeUsage = !!body.stream_options && body.stream_options.include_usage === true;
    const u = includeUsage ? { usage: null } : {};
    const frame = (choices, extra) => sseFrame(JSON.stringify({ ...head, choices, ...extra }));
    const frames = text.split(/(?= )/).map((piece) => frame([{ text: piece, index: 0, logprobs: null, finish_reason: null }], u));
    frames.push(frame([{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }], u));
    if (includeUsage) frames.push(frame([], { usage }));
    frames.push(sseFrame('[DONE]'));
    return ctx.stream({ ...SSE_HEADERS, ...headers }, frames, config.chunkDelayMs);
  };
}

module.exports = { createEmbeddings, createCompletions };
