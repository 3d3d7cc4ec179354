// responsesScript: a behaviour that answers Responses calls with scripted steps in order, or replays a Responses transcript.
'use strict';

const { loadTranscripts } = require('./transcripts');
const { stepScript } = require('./script');
const { responseObject, outputItems, responseEvents, responsesUsage, stepItemIds } = require('./responses-render');

/** The bytes of transcript `transcripts/responses/<name>.sse`. */
function responsesTranscript(name) {
  const t = loadTranscripts('responses')[name];
  if (!t || !t.events) throw new Error(`fake-upstream: no Responses event-stream transcript "${name}".`);
  return t.body;
}

/** The `response` of a transcript's last event that carries a sequence number (what a blocking call answers). */
function transcriptResponse(name) {
  const events = responsesTranscript(name).toString('utf8').split('\n\n').filter((b) => b.includes('"sequence_number"'));
  return JSON.parse(events[events.length - 1].split('\ndata: ')[1]).response;
}

/**
 * How a `POST /v1/responses…` call is answered from a step. Generated responses have ids `resp_step<N>`; a step's
 * `fixture` replays that transcript (or its final response, blocking).
 */
const RESPONSES_STEPS = {
  matches: (req) => req.url.startsWith('/v1/responses'),
  answer(res, step, req, n) {
    const streaming = !!req.json && req.json.stream === true;
    res.writeHead(200, { 'content-type': streaming ? 'text/event-stream; charset=utf-8' : 'application/json', 'x-request-id': `req_${n}` });
    if (step.fixture) {
      res.end(streaming ? responsesTranscript(step.fixture) : JSON.stringify(transcriptResponse(step.fixture)));
      return;
    }
    const id = `resp_step${n}`;
    const body = req.json;
    if (!streaming) {
      res.end(JSON.stringify(responseObject(id, 'completed', outputItems(step, stepItemIds(n)), responsesUsage(step), body)));
      return;
    }
    const events = responseEvents(step, { id, body, ids: stepItemIds(n) });
    for (const e of step.cutAfter === undefined ? events : events.slice(0, step.cutAfter)) res.write(e);
    res.end();
  },
};

/** Answers `POST /v1/responses…` with `steps` in order (the last one repeats), or with `steps(req, n)`. */
function responsesScript(steps) {
  return stepScript(steps, RESPONSES_STEPS);
}

module.exports = { responsesScript, responsesTranscript, transcriptResponse, RESPONSES_STEPS };
