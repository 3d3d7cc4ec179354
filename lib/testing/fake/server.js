// The fake upstream's HTTP server: reads each request, logs it, checks the credential, then a test's behaviour or the API routes.
'use strict';

const http = require('node:http');
const { resolveOptions } = require('./options');
const { sendJson, writeFrames } = require('./sse');
const { createOpenAIApi } = require('./apis/openai');
const { createAnthropicApi } = require('./apis/anthropic-messages');
const { createToolScripts } = require('./tool-turns');

/**
 * Adding an API: a module in apis/ with its routes, transcripts under transcripts/<api>/, and one line here. The
 * first API answers requests that match no route and that no API `claims` (by their headers).
 */
const API_FACTORIES = [createOpenAIApi, createAnthropicApi];

function routeTable(apis) {
  const exact = new Map();
  const patterns = [];
  for (const api of apis) {
    for (const r of api.routes) {
      if (typeof r.path === 'string') {
        if (!exact.has(`${r.method} ${r.path}`)) exact.set(`${r.method} ${r.path}`, { api, route: r, match: null });
      } else {
        patterns.push({ api, route: r });
      }
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

/**
 * Routes looked up in the API that claims the request by its headers first (`GET /v1/models` exists in OpenAI's
 * and Anthropic's APIs; an Anthropic client says so with `x-api-key` or `anthropic-version`), then in all of them.
 */
function router(apis) {
  const all = routeTable(apis);
  const own = new Map(apis.filter((a) => a.claims).map((a) => [a, routeTable([a])]));
  return function route(method, path, headers) {
    for (const [api, find] of own) {
      if (!api.claims(headers)) continue;
      return find(method, path) || all(method, path) || { api, route: undefined, match: null };
    }
    return all(method, path) || { api: apis[0], route: undefined, match: null };
  };
}

/** Starts the fake on 127.0.0.1; see ../types.ts for the options and the returned object. */
async function startFakeUpstream(options) {
  const resolved = resolveOptions(options);
  const config = { ...resolved, tools: createToolScripts(resolved.toolCalls) };
  const apis = API_FACTORIES.map((create) => create(config));
  const route = router(apis);
  let markClosedEarly;
  const closedEarly = new Promise((resolve) => (markClosedEarly = resolve));
  const fake = {
    url: '', origin: '', port: 0, requests: [], closedEarly, behaviour: config.behaviour, missingHeaders: [],
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

    const found = route(req.method, path, req.headers);
    const api = found.api;
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
    // Accepted, unlike the real API, so that hand-made test requests stay short; kept so tests can see who forgot one.
    for (const header of api.requiredHeaders || []) {
      if (req.headers[header] === undefined && config.recordRequests) fake.missingHeaders.push({ header, method: req.method, url: req.url });
    }
    // What the real API refuses is refused before any test behaviour, so a bridge that sends it is caught.
    const refused = req.method === 'POST' && api.checkRequest ? api.checkRequest(path, json) : undefined;
    if (refused) return fail(refused);
    if (fake.behaviour && (await fake.behaviour(received, res)) !== 'default') return undefined;
    if (!found.route) return fail(api.errors.notFound(req.method, path));
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
        const { api } = route(req.method, req.url.split('?')[0], req.headers);
        const e = api.errors.internal(`fake upstream: ${err && err.message}`);
        sendJson(res, e.status, api.errorBody(e.type, e.message, e.code));
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
  fake.port = port;
  fake.origin = `http://127.0.0.1:${port}`;
  fake.url = `${fake.origin}/v1`;
  fake.close = () => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return fake;
}

module.exports = { startFakeUpstream };
