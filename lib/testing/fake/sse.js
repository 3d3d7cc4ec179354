// Writing responses: a buffer with its headers, or SSE frames one by one, optionally paced, stopping when the client goes away.
'use strict';

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

/** `data: <payload>\n\n`. */
function sseFrame(data) {
  return `data: ${data}\n\n`;
}

function sendBuffer(res, status, headers, body) {
  res.writeHead(status, headers);
  res.end(body);
}

/** A JSON body; `headers` may replace the content type, never the length. */
function sendJson(res, status, body, headers = {}) {
  const buf = Buffer.from(JSON.stringify(body));
  sendBuffer(res, status, { 'content-type': 'application/json', ...headers, 'content-length': String(buf.length) }, buf);
}

/** Sends a rendered turn (a scripted tool call): `frames` through `ctx.stream` when `streamed`, else its JSON bytes. */
function sendTurn(ctx, streamed, frames, json, delayMs) {
  if (streamed) return ctx.stream(SSE_HEADERS, frames, delayMs);
  return sendBuffer(ctx.res, 200, { 'content-type': 'application/json', 'content-length': String(json.length) }, json);
}

/**
 * Writes `frames` (already framed strings or buffers), `delayMs` apart; with 0, all at once. Each frame is its
 * own `write` so a relay sees event boundaries as a real upstream's would (the bench measures read gaps).
 */
function writeFrames(res, status, headers, frames, delayMs) {
  res.writeHead(status, headers);
  if (!delayMs) {
    for (const f of frames) res.write(f);
    res.end();
    return;
  }
  let i = 0;
  let timer;
  // The client may go away mid-answer; stop instead of queueing frames for nobody.
  res.once('close', () => clearTimeout(timer));
  const next = () => {
    if (res.destroyed) return;
    res.write(frames[i++]);
    if (i === frames.length) res.end();
    else timer = setTimeout(next, delayMs);
  };
  next();
}

module.exports = { SSE_HEADERS, sseFrame, sendBuffer, sendJson, sendTurn, writeFrames };
