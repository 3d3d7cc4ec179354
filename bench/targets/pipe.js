// The raw pipe handler shared by the raw proxy and the Express-pipe target: headers filtered, bodies piped both ways.
'use strict';
const http = require('node:http');

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host']);

/** `(req, res)` relaying to `origin` + `req.url` through one keep-alive agent. */
function createPipe(origin) {
  const upstream = new URL(origin);
  const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 30_000 });
  return function pipe(req, res) {
    const headers = {};
    for (const name in req.headers) if (!HOP_BY_HOP.has(name)) headers[name] = req.headers[name];
    const upstreamReq = http.request({
      host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent,
    }, (upstreamRes) => {
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
    req.pipe(upstreamReq);
  };
}

module.exports = { createPipe, HOP_BY_HOP };
