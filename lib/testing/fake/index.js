// The fake upstream's JavaScript entry (OpenAI chat and Responses, Anthropic Messages): typed by ../index.ts (public) and ../fixtures.ts (the package's tests).
'use strict';

const { startFakeUpstream } = require('./server');
const { chatScript } = require('./script');
const { chunk } = require('./chat-render');
const { loadTranscripts, parseHttp, eventData } = require('./transcripts');
const { script } = require('./any-script');
const { sseFrame } = require('./sse');
const { anthropicScript, anthropicMessage, anthropicStream, anthropicTranscript, writeAnthropicSse } = require('./anthropic-script');
const { responsesScript, responsesTranscript, transcriptResponse } = require('./responses-script');

const COMPLETION_ID = 'chatcmpl-test123';

/** The default blocking answer (transcript `openai/chat-completion`), with `overrides` on top. */
function chatCompletion(overrides = {}) {
  return { ...JSON.parse(loadTranscripts('openai')['chat-completion'].body.toString('utf8')), ...overrides };
}

/** The `data:` payloads of the default streamed answer, `[DONE]` included; with the usage chunk when `includeUsage`. */
function textStreamEvents(includeUsage) {
  const t = loadTranscripts('openai');
  return eventData(includeUsage ? t['chat-stream-usage'] : t['chat-stream']);
}

/** Writes `events` (payloads) as a 200 SSE answer with the default stream's headers. */
function writeSse(res, events) {
  res.writeHead(200, loadTranscripts('openai')['chat-stream'].headers);
  for (const e of events) res.write(sseFrame(e));
  res.end();
}

module.exports = {
  startFakeUpstream, chatScript, chatCompletion, textStreamEvents, writeSse, chunk,
  loadTranscripts, parseHttp, COMPLETION_ID, script,
  anthropicScript, anthropicMessage, anthropicStream, anthropicTranscript, writeAnthropicSse,
  responsesScript, responsesTranscript, transcriptResponse,
};
