// chatScript: a behaviour that answers chat-completions calls with scripted steps in order (multi-turn tool loops in tests).
'use strict';

const { renderBlocking, renderStream } = require('./chat-render');
const { sseFrame } = require('./sse');

/**
 * Answers each chat-completions call with the next of `steps` (the last one repeats), or with `steps(req, n)`.
 * Ids are `chatcmpl-step<N>` so callers can tell the calls apart; other routes fall through to the defaults.
 */
function chatScript(steps) {
  const calls = [];
  const behaviour = (req, res) => {
    if (!req.url.startsWith('/v1/chat/completions')) return 'default';
    const n = calls.length;
    calls.push(req);
    const step = typeof steps === 'function' ? steps(req, n) : steps[Math.min(n, steps.length - 1)];
    if (step.error) {
      res.writeHead(step.error.status, { 'content-type': 'application/json', ...step.error.headers });
      res.end(JSON.stringify({ error: { message: step.error.message, type: 'invalid_request_error', code: null } }));
      return undefined;
    }
    const id = `chatcmpl-step${n}`;
    const json = req.json || {};
    if (json.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': `req_${n}` });
      const includeUsage = !!json.stream_options && json.stream_options.include_usage === true;
      for (const e of renderStream(step, { id, includeUsage })) res.write(sseFrame(e));
      res.end();
      return undefined;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_${n}` });
    res.end(JSON.stringify(renderBlocking(step, { id })));
    return undefined;
  };
  return Object.assign(behaviour, { calls });
}

module.exports = { chatScript };
