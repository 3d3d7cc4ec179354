// anthropicScript: a behaviour that answers Messages calls with scripted steps in order, or replays an Anthropic transcript.
'use strict';

const { loadTranscripts } = require('./transcripts');
const { stepScript } = require('./script');
const { renderMessage, renderMessageEvents } = require('./anthropic-render');

const stepIds = (n) => ({ id: `msg_step${n}`, signature: `sig-step${n}` });

/** The blocking answer of `step` as the `n`th scripted call (id `msg_step<n>`). */
function anthropicMessage(step, n) {
  return renderMessage(step, stepIds(n));
}

/** The SSE text of `step` as the `n`th scripted call. */
function anthropicStream(step, n) {
  return renderMessageEvents(step, stepIds(n)).join('');
}

/** The text of transcript `transcripts/anthropic/<name>.sse`, byte for byte. */
function anthropicTranscript(name) {
  const t = loadTranscripts('anthropic')[name];
  if (!t || !t.events) throw new Error(`fake-upstream: no Anthropic event-stream transcript "${name}".`);
  return t.body.toString('utf8');
}

/** Writes `text` as an event stream, in two chunks split mid-event (real upstreams do not respect event boundaries). */
function writeAnthropicSse(res, text, requestId = 'req_fx') {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'request-id': requestId, 'anthropic-organization-id': 'org-test' });
  const bytes = Buffer.from(text);
  const cut = Math.floor(bytes.length / 2) + 3;
  res.write(bytes.subarray(0, cut));
  res.end(bytes.subarray(cut));
}

function writeJson(res, status, headers, body) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** How a `POST /v1/messages` call is answered from a step (ids `msg_step<N>`). */
const MESSAGES_STEPS = {
  matches: (req) => req.method === 'POST' && req.url.split('?')[0] === '/v1/messages',
  fail(res, { status, type, message, headers }, n) {
    writeJson(res, status, { 'request-id': `req_${n}`, ...headers }, { type: 'error', error: { type, message } });
  },
  answer(res, step, req, n) {
    if (req.json && req.json.stream) writeAnthropicSse(res, step.fixture ? anthropicTranscript(step.fixture) : anthropicStream(step, n), `req_${n}`);
    else writeJson(res, 200, { 'request-id': `req_${n}` }, anthropicMessage(step, n));
  },
};

/**
 * Answers `POST /v1/messages` with `steps` in order (the last one repeats), or with `steps(req, n)`, and
 * `POST /v1/messages/count_tokens` with 42. A step's `fixture` replays that transcript (streamed requests only).
 */
function anthropicScript(steps) {
  const scripted = stepScript(steps, MESSAGES_STEPS);
  const behaviour = (req, res) => {
    if (req.method === 'POST' && req.url.split('?')[0] === '/v1/messages/count_tokens') return void writeJson(res, 200, {}, { input_tokens: 42 });
    return scripted(req, res);
  };
  return Object.assign(behaviour, { calls: scripted.calls });
}

module.exports = { anthropicScript, anthropicMessage, anthropicStream, anthropicTranscript, writeAnthropicSse, MESSAGES_STEPS };
