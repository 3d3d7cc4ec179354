// The raw pipe handler shared by the raw proxy and the Express-pipe target: headers filtered, bodies piped both ways.
'use strict';
const http = require('node:http');

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host']);

/** Where a pipe sends requests: the upstream's host and port, and one keep-alive agent. */
function upstreamOf(origin) {
  const url = new URL(origin);
  return { host: url.hostname, port: url.port, agent: new http.Agent({ keepAlive: true, keepAliveMsecs: 30_000 }) };
}

/** Sends `req` upstream with `headers` (and `body`, else the client's own stream) and pipes the answer back as it comes. */
function forward(upstream, req, res, headers, body) {
  const upstreamReq = http.request({ ...upstream, method: req.method, path: req.url, headers }, (upstreamRes) => {
    const out = {};
    for (const name in upstreamRes.headers) if (!HOP_BY_HOP.has(name)) out[name] = upstreamRes.headers[name];
    res.writeHead(upstreamRes.statusCode, out);
    upstreamRes.pipe(res);
  });
  upstreamReq.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  res.on('close', () => {
    if (!res.writableFinished) upstreamReq.destroy();
  });
  if (body) upstreamReq.end(body);
  else req.pipe(upstreamReq);
}

/** `(req, res)` relaying to `origin` + `req.url` through one keep-alive agent. */
function createPipe(origin) {
  const upstream = upstreamOf(origin);
  return function pipe(req, res) {
    const headers = {};
    for (const name in req.headers) if (!HOP_BY_HOP.has(name)) headers[name] = req.headers[name];
    forward(upstream, req, res, headers);
  };
}

module.exports = { createPipe, upstreamOf, forward, HOP_BY_HOP };
