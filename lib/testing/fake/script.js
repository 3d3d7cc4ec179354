// Scripted behaviours: answer an API's calls with steps in order (multi-turn tool loops in tests); chatScript on it.
'use strict';

const { renderBlocking, renderStream } = require('./chat-render');
const { sseFrame } = require('./sse');

/** An OpenAI-shaped error answer for a step's `error: { status, message, headers? }`. */
function openaiError(res, error) {
  res.writeHead(error.status, { 'content-type': 'application/json', ...error.headers });
  res.end(JSON.stringify({ error: { message: error.message, type: 'invalid_request_error', code: null } }));
}

/**
 * A behaviour that answers the calls `matches` accepts with the next of `steps` (the last one repeats), or with
 * `steps(req, n)`: `answer(res, step, req, n)`, or `fail(res, step.error, n)` for an error step. Other calls fall
 * through to the defaults. `calls` lists the requests it answered.
 */
function stepScript(steps, { matches, answer, fail = openaiError }) {
  const calls = [];
  const behaviour = (req, res) => {
    if (!matches(req)) return 'default';
    const n = calls.length;
    calls.push(req);
    const step = typeof steps === 'function' ? steps(req, n) : steps[Math.min(n, steps.length - 1)];
    if (step.error) fail(res, step.error, n, req);
    else answer(res, step, req, n);
    return undefined;
  };
  return Object.assign(behaviour, { calls });
}

/** How a chat-completions call is answered from a step. Ids are `chatcmpl-step<N>` so callers can tell the calls apart. */
const CHAT_STEPS = {
  matches: (req) => req.url.startsWith('/v1/chat/completions'),
  fail: openaiError,
  answer(res, step, req, n) {
    const id = `chatcmpl-step${n}`;
    const json = req.json || {};
    if (json.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': `req_${n}` });
      const includeUsage = !!json.stream_options && json.stream_options.include_usage === true;
      for (const e of renderStream(step, { id, includeUsage })) res.write(sseFrame(e));
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_${n}` });
    res.end(JSON.stringify(renderBlocking(step, { id })));
  },
};

/** Answers each chat-completions call with the next of `steps`. */
function chatScript(steps) {
  return stepScript(steps, CHAT_STEPS);
}

module.exports = { chatScript, stepScript, CHAT_STEPS };
