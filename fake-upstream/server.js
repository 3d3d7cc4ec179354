// The fake upstream's HTTP server: reads each request, logs it, checks the credential, then a test's behaviour or the API routes.
'use strict';

const http = require('node:http');
const { resolveOptions } = require('./options');
const { sendJson, writeFrames } = require('./sse');
const { createOpenAIApi } = require('./apis/openai');

/** Adding an API: a module in apis/ with its routes, transcripts under transcripts/<api>/, and one line here. */
const API_FACTORIES = [createOpenAIApi];

function routeTable(apis) {
  const exact = new Map();
  const patterns = [];
  for (const api of apis) {
    for (const r of api.routes) {
      if (typeof r.path === 'string') exact.set(`${r.method} ${r.path}`, { api, route: r, match: null });
      else patterns.push({ api, route: r });
    }
  }
  return function find(method, path) {
    const hit = exact.get(`${method} ${path}`);
    if (hit) return hit;
    for (const p of patterns) {
      if (p.route.method !== '*' && p.route.method !== method) continue;
      const match = p.route.path.exec(path);
      if (match) return { api: p.api, route: p.route, match };
    }
    return undefined;
  };
}

/** Starts the fake on 127.0.0.1; see index.d.ts for the options and the returned object. */
async function startFakeUpstream(options) {
  const config = resolveOptions(options);
  const apis = API_FACTORIES.map((create) => create(config));
  const find = routeTable(apis);
  let markClosedEarly;
  const closedEarly = new Promise((resolve) => (markClosedEarly = resolve));
  const fake = {
    url: '', origin: '', requests: [], closedEarly, behaviour: config.behaviour,
    streams: { active: 0, completed: 0, closedEarly: 0 },
    close: async () => undefined,
  };

  function stream(res, headers, frames, delayMs) {
    const s = fake.streams;
    s.active++;
    res.once('close', () => {
      s.active--;
      if (res.writableFinished) s.completed++;
      else s.closedEarly++;
    });
    writeFrames(res, 200, headers, frames, delayMs);
  }

  async function handle(req, res, raw, size) {
    const path = req.url.split('?')[0];
    const body = raw.toString('utf8');
    let json;
    if (body !== '') try { json = JSON.parse(body); } catch { json = undefined; }
    let markThisClosed;
    const thisClosed = new Promise((resolve) => (markThisClosed = resolve));
    const received = { method: req.method, url: req.url, headers: req.headers, body, json, closedEarly: thisClosed };
    if (config.recordRequests) fake.requests.push(received);
    res.on('close', () => {
      if (res.writableFinished) return;
      markThisClosed();
      markClosedEarly();
    });

    const found = find(req.method, path);
    const api = found ? found.api : apis[0];
    const ctx = {
      req: received,
      res,
      stream: (headers, frames, delayMs) => stream(res, headers, frames, delayMs),
      error: (status, type, message, code, headers) => sendJson(res, status, api.errorBody(type, message, code), headers),
    };
    const fail = (e, headers) => ctx.error(e.status, e.type, e.message, e.code, headers);

    if (size > config.maxBodyBytes) return fail(api.errors.tooLarge);
    const credential = api.credential(req.headers);
    if (credential !== undefined && config.rateLimitedKeys.has(credential)) {
      return fail(api.errors.rateLimited, { 'retry-after': String(config.retryAfterSeconds) });
    }
    if (config.keys && !config.keys.has(credential)) return fail(api.errors.unauthorized);
    if (fake.behaviour && (await fake.behaviour(received, res)) !== 'default') return undefined;
    if (!found) return fail(api.errors.notFound(req.method, path));
    return found.route.handle(ctx, found.match);
  }

  const server = http.createServer(function fakeUpstream(req, res) {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= config.maxBodyBytes) chunks.push(c);
    });
    req.on('end', () => {
      const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      handle(req, res, raw, size).catch((err) => {
        // A behaviour or route that throws must still answer, or the client under test would hang.
        if (res.headersSent) return void res.destroy();
        sendJson(res, 500, apis[0].errorBody('server_error', `fake upstream: ${err && err.message}`, null));
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  server.requestTimeout = 0;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address();
  fake.origin = `http://127.0.0.1:${port}`;
  fake.url = `${fake.origin}/v1`;
  fake.close = () => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return fake;
}

module.exports = { startFakeUpstream };
