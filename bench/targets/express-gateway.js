// The least any Express gateway does, at /ai: read and JSON-parse the body, require an actor, swap the key, pipe the answer back.
'use strict';
const http = require('node:http');
const express = require('express');
const { serveIpc, announce } = require('./ipc');
const { HOP_BY_HOP } = require('./pipe');

// The gateway's own key replaces the client's credential, as a key-holding gateway must.
const POOL_KEY = 'Bearer sk-a';
const upstream = new URL(process.env.UPSTREAM_ORIGIN);
const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 30_000 });

function reject(res, status, message) {
  res.status(status).json({ error: { message, type: 'invalid_request_error', code: null } });
}

/** Forwards the parsed request's bytes with the pool key, and pipes the upstream answer back as it comes. */
function gateway(req, res) {
  // The actor: here the client's credential stands for the host's identity lookup (a header, nothing more).
  const actor = req.headers.authorization || req.headers['x-api-key'];
  if (!actor) return reject(res, 401, 'no actor');
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (body.length > 0) {
    let parsed;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return reject(res, 400, 'malformed JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.model !== 'string') return reject(res, 400, 'model is required');
  }
  const headers = {};
  for (const name in req.headers) if (!HOP_BY_HOP.has(name) && name !== 'x-api-key') headers[name] = req.headers[name];
  headers.authorization = POOL_KEY;
  headers['content-length'] = String(body.length);
  const upstreamReq = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, (upstreamRes) => {
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
  upstreamReq.end(body);
}

const app = express();
app.use('/ai', express.raw({ type: () => true, limit: '32mb' }), gateway);
const server = app.listen(0, '127.0.0.1', () => announce(server));
server.keepAliveTimeout = 60_000;
serveIpc();
