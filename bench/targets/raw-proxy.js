// Minimal raw Node http pipe proxy to the fake upstream: the physical limit of a Node proxy on this machine.
'use strict';
const http = require('node:http');
const { serveIpc, announce } = require('./ipc');

const upstream = new URL(process.env.UPSTREAM_ORIGIN);
const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 30_000 });
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host']);

const server = http.createServer((req, res) => {
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
});
server.keepAliveTimeout = 60_000;
serveIpc();
server.listen(0, '127.0.0.1', () => announce(server));
