// POST /v1/chat/completions: scripted tool turns, then the bench's stream shapes, then the transcripts (or the echo answer).
'use strict';

const { loadTranscripts } = require('../transcripts');
const { renderBlocking, renderStream } = require('../chat-render');
const { SSE_HEADERS, sseFrame, sendBuffer, sendJson, sendTurn } = require('../sse');
const { toolCallTurn, quoteTurnText, contentText, lastUserText } = require('../tool-turns');
const { BENCH_MODEL } = require('../bench-shape');
const { freshId, freshRequestId, words, wordTokens } = require('../generated');

function wordUsage(messages, answer) {
  return { prompt_tokens: wordTokens(messages.map((m) => contentText(m && m.content))), completion_tokens: words(answer).length };
}

/**
 * The frames of the bench's `bench-s<chunks>-d<delayMs>` streams, built once: a role chunk, `chunks - 2` token
 * chunks, the finish chunk, then usage when asked. Requests only pick buffers.
 */
function benchFrames(includeUsage) {
  const u = includeUsage ? { usage: null } : {};
  const base = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o-mini' };
  const frame = (delta, finish) => Buffer.from(sseFrame(JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...u })));
  return {
    first: frame({ role: 'assistant', content: '' }, null),
    token: frame({ content: 'tok ' }, null),
    stop: frame({}, 'stop'),
    usage: includeUsage ? Buffer.from(sseFrame(JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 12, completion_tokens: 200, total_tokens: 212 } }))) : undefined,
    done: Buffer.from(sseFrame('[DONE]')),
  };
}

/** The chat-completions handler for one fake; `config` is the fake's resolved options. */
function createChatCompletions(config) {
  const t = loadTranscripts('openai');
  const completion = t['chat-completion'];
  const streams = { false: t['chat-stream'], true: t['chat-stream-usage'] };
  const bench = { false: benchFrames(false), true: benchFrames(true) };

  /** A generated answer (echo, tool quote): word-counted usage, a fresh id, the request's model. */
  function answerText(ctx, body, messages, text, streamed, includeUsage) {
    const id = freshId('chatcmpl-');
    const model = typeof body.model === 'string' ? body.model : undefined;
    const step = { text, usage: wordUsage(messages, text) };
    const headers = { 'x-request-id': freshRequestId() };
    if (!streamed) return sendJson(ctx.res, 200, renderBlocking(step, { id, model }), headers);
    const frames = renderStream(step, { id, model, includeUsage }).map(sseFrame);
    return ctx.stream({ ...SSE_HEADERS, ...headers }, frames, config.chunkDelayMs);
  }

  function benchStream(ctx, m, includeUsage) {
    const f = bench[includeUsage];
    const frames = [f.first];
    for (let i = 2; i < Number(m[1]); i++) frames.push(f.token);
    frames.push(f.stop);
    if (includeUsage) frames.push(f.usage);
    frames.push(f.done);
    ctx.stream(streams.false.headers, frames, Number(m[2]));
  }

  return function chatCompletions(ctx) {
    const body = ctx.req.json;
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return ctx.error(400, 'invalid_request_error', 'We could not parse the JSON body of your request.', null);
    }
    const messages = Array.isArray(body.messages) ? body.messages : [];
    const streamed = body.stream === true;
    const includeUsage = streamed && !!body.stream_options && body.stream_options.include_usage === true;

    const call = toolCallTurn(config.tools, body, messages);
    if (call) return sendTurn(ctx, streamed, includeUsage ? call.framesWithUsage : call.frames, call.json, config.chunkDelayMs);
    const quote = quoteTurnText(config.tools, messages);
    if (quote !== undefined) return answerText(ctx, body, messages, quote, streamed, includeUsage);

    const bench = streamed && typeof body.model === 'string' ? BENCH_MODEL.exec(body.model) : null;
    if (bench) return benchStream(ctx, bench, includeUsage);
    if (config.echo) {
      const asked = words(lastUserText(messages)).slice(0, 12).join(' ');
      return answerText(ctx, body, messages, t['echo-answer'].replace('{question}', asked), streamed, includeUsage);
    }
    if (!streamed) return sendBuffer(ctx.res, completion.status, completion.headers, completion.body);
    const transcript = streams[includeUsage];
    return ctx.stream(transcript.headers, transcript.events, config.chunkDelayMs);
  };
}

module.exports = { createChatCompletions };
