// The least any Express gateway does, at /ai: read and JSON-parse the body, require an actor, swap the key, pipe the answer back.
'use strict';
const express = require('express');
const { serveIpc, announce } = require('./ipc');
const { HOP_BY_HOP, forward, upstreamOf } = require('./pipe');

// The gateway's own key replaces the client's credential, as a key-holding gateway must.
const POOL_KEY = 'Bearer sk-a';
const upstream = upstreamOf(process.env.UPSTREAM_ORIGIN);

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
  forward(upstream, req, res, headers, body);
}

const app = express();
app.use('/ai', express.raw({ type: () => true, limit: '32mb' }), gateway);
const server = app.listen(0, '127.0.0.1', () => announce(server));
server.keepAliveTimeout = 60_000;
serveIpc();
