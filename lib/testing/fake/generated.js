// Helpers of generated (not replayed) answers, shared by the APIs: fresh ids, request ids and word-counted usage.
'use strict';

const { randomBytes } = require('node:crypto');

/** `<prefix><random>`: generated answers must not share an id with the transcripts or each other. */
function freshId(prefix) {
  return `${prefix}${randomBytes(12).toString('base64url')}`;
}

/** A request id like the real APIs' (`req_<hex>`). */
function freshRequestId() {
  return `req_${randomBytes(12).toString('hex')}`;
}

function words(text) {
  return text.split(/\s+/).filter(Boolean);
}

/** Tokens are words (plus 3 per message): not what a tokenizer says, but the right order of magnitude. */
function wordTokens(texts) {
  return texts.reduce((n, t) => n + 3 + words(t).length, 3);
}

/** A path segment percent-decoded (a model id echoed back), or as it came when it is not valid percent-encoding. */
function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

module.exports = { freshId, freshRequestId, safeDecode, words, wordTokens };
