// express-aibridge as a benchmark target: BENCH_RECORDER=off|memory|noop|sqlite|postgres, BENCH_POOL=single|cooling, BENCH_MOUNT=express|node, BENCH_KEYSTATE=memory|redis, BENCH_TOOLS=off|noop, BENCH_METRICS=off|on, BENCH_TRACING=off|on|host|unbatched, BENCH_LIMITS=off|memory|redis|memory-requests|redis-requests, BENCH_BEDROCK=off|on.
'use strict';
const http = require('node:http');
const path = require('node:path');
const express = require('express');
const { serveIpc, announce } = require('./ipc');
const BENCH_KEYS = require('../keys');
const fs = require('node:fs');
const os = require('node:os');
const { createBridge, metricsHandler, openaiProvider, anthropicProvider, bedrockProvider, MemoryRecorder, SqliteRecorder, PostgresRecorder, RedisKeyStateStore } = require(process.env.BENCH_DIST || path.join(__dirname, '..', '..', 'dist'));

// `noop` (for profiling) separates the cost of the recording pipeline from that of MemoryRecorder's storage.
const NOOP = { recordInterception() {}, recordInterceptionEnded() {}, recordTokenUsage() {}, recordPromptUsage() {}, recordToolUsage() {} };
// The durable stores write to a temp file / a fresh schema, so every run starts empty.
function sqliteRecorder() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aibridge-bench-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return new SqliteRecorder({ filename: path.join(dir, 'usage.db') });
}
const PG_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
// The store's connections carry this name, so the run can find the server processes that serve them (dbBackends).
const PG_APP = `aibridge-bench-${process.pid}`;
function postgresRecorder() {
  const connectionString = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}application_name=${PG_APP}`;
  return new PostgresRecorder({ connectionString, schema: `aibridge_bench_${process.pid}` });
}
const recorder = { memory: () => new MemoryRecorder(), noop: () => NOOP, sqlite: sqliteRecorder, postgres: postgresRecorder }[process.env.BENCH_RECORDER]?.();

// In "cooling" mode the fake upstream answers 429 (retry-after 3600) to the first key, so after the
// warm-up the bridge skips it on every request, as with a real rate-limited key.
const keys = process.env.BENCH_POOL === 'cooling' ? BENCH_KEYS.COOLING_POOL : BENCH_KEYS.SINGLE;
// One injected tool that answers at once: the loop's own cost (two upstream calls per request, edits, hidden events).
const NOOP_TOOLS = {
  listTools: () => [{ name: 'bmcp_bench_noop', description: 'Does nothing.', inputSchema: { type: 'object', properties: {} }, serverName: 'bench' }],
  callTool: async () => ({ content: [{ type: 'text', text: 'ok' }] }),
};
// Prometheus metrics on a registry of this process, served at /metrics (the driver does not scrape it).
const metricsRegistry = process.env.BENCH_METRICS === 'on' ? new (require('prom-client').Registry)() : undefined;
// OpenTelemetry as a host would run it, minus the network: async-hooks context, a batch processor, an exporter that drops.
function benchTracerProvider() {
  const { context } = require('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
  const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // A host's instrumentation runs every request in `context.with()`; the first such call turns the async hook on for
  // every promise of the process (Node 20). Without it, only the batch processor's first export would, so a target
  // without the bridge's spans would never pay the host's own cost.
  context.with(context.active(), () => undefined);
  const dropping = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => undefined };
  // `unbatched`: no processor, so no span outlives its request (what holding spans until export costs, apart).
  return new BasicTracerProvider({ spanProcessors: process.env.BENCH_TRACING === 'unbatched' ? [] : [new BatchSpanProcessor(dropping)] });
}
// `host`: the host's OpenTelemetry set-up alone (the same SDK and context manager), the bridge's `tracing` off.
const hostTracerProvider = ['on', 'host', 'unbatched'].includes(process.env.BENCH_TRACING) ? benchTracerProvider() : undefined;
const tracerProvider = process.env.BENCH_TRACING === 'on' || process.env.BENCH_TRACING === 'unbatched' ? hostTracerProvider : undefined;
// Per-actor limits that never refuse (requests per minute, in flight, tokens per hour): what counting costs.
// The `-requests` variants set only the requests per minute (a typical rate limit).
const BENCH_LIMITS = [{ name: 'bench', per: 'actor', requests: { points: 1e9, windowMs: 60_000 }, concurrent: 1e6, tokens: { points: 1e12, windowMs: 3_600_000 } }];
const BENCH_REQUEST_LIMITS = [{ name: 'bench', per: 'actor', requests: { points: 1e9, windowMs: 60_000 } }];
const [limitStore, limitSet] = (process.env.BENCH_LIMITS || 'off').split('-');
const limits = limitStore === 'memory' || limitStore === 'redis' ? {
  limits: limitSet === 'requests' ? BENCH_REQUEST_LIMITS : BENCH_LIMITS,
  ...(limitStore === 'redis' ? { limitStore: { redis: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379', prefix: `aibridge-bench-limits:${process.pid}:` } } : {}),
} : {};
const bridge = createBridge({
  // Both providers on the one fake upstream: /ai/openai (chat, Responses) and /ai/anthropic (Messages).
  providers: [
    openaiProvider({ keys, baseURL: `${process.env.UPSTREAM_ORIGIN}/v1` }),
    anthropicProvider({ keys, baseURL: process.env.UPSTREAM_ORIGIN }),
    // /ai/bedrock: Messages to the fake Bedrock, every attempt signed (SigV4, static credentials), the event stream decoded.
    ...(process.env.BENCH_BEDROCK === 'on' ? [bedrockProvider({ region: 'us-east-1', baseURL: process.env.BEDROCK_ORIGIN, credentials: BENCH_KEYS.BEDROCK_ACCESS_KEYS })] : []),
  ],
  actor: () => ({ id: 'bench-user' }),
  recorder,
  tools: process.env.BENCH_TOOLS === 'noop' ? NOOP_TOOLS : undefined,
  // Shared key state in the local Redis (a fresh prefix per run): one MGET per request on the hot path.
  keyState: process.env.BENCH_KEYSTATE === 'redis'
    ? new RedisKeyStateStore({ url: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379', prefix: `aibridge-bench:${process.pid}:` })
    : undefined,
  // Spread, not `metrics: undefined`: an older build (BENCH_DIST) refuses an option it does not know.
  ...(metricsRegistry ? { metrics: { registry: metricsRegistry } } : {}),
  ...(tracerProvider ? { tracing: { tracerProvider } } : {}),
  ...limits,
});

/** The PostgreSQL server processes (backends) serving the store's connections: their CPU is the database's share of recording. */
async function dbBackends() {
  const { Pool } = require('pg');
  const pool = new Pool({ connectionString: PG_URL, max: 1 });
  try {
    const { rows } = await pool.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [PG_APP]);
    return rows.map((r) => r.pid);
  } finally {
    await pool.end();
  }
}

/** Drops the schemas earlier bench processes left (a target is killed, so it cannot drop its own), before we start. */
async function dropStaleBenchSchemas() {
  const { Pool } = require('pg');
  const pool = new Pool({ connectionString: PG_URL });
  try {
    const { rows } = await pool.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'aibridge_bench_%' AND nspname <> $1", [`aibridge_bench_${process.pid}`]);
    for (const r of rows) await pool.query(`DROP SCHEMA IF EXISTS "${r.nspname}" CASCADE`);
  } finally {
    await pool.end();
  }
}

/** The local Redis server's process (its CPU is the Redis share of the limits or key state; it serves other clients too). */
async function redisServer() {
  if (limitStore !== 'redis' && process.env.BENCH_KEYSTATE !== 'redis') return [];
  const { Redis } = require('ioredis');
  const client = new Redis(process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379');
  try {
    const pid = /^process_id:(\d+)/m.exec(await client.info('server'));
    return pid ? [Number(pid[1])] : [];
  } finally {
    client.disconnect();
  }
}

let server;
async function listen() {
  if (recorder instanceof PostgresRecorder) {
    await dropStaleBenchSchemas();
    await recorder.ready();
  }
  if (process.env.BENCH_MOUNT === 'node') {
    // Reference only: the bridge (an Express Router) called from a bare node:http server, without an Express app.
    server = http.createServer((req, res) => {
      if (!req.url.startsWith('/ai/')) return res.writeHead(404).end();
      req.url = req.url.slice(3);
      bridge(req, res, () => res.writeHead(404).end());
    });
    server.listen(0, '127.0.0.1', () => announce(server));
  } else {
    const app = express();
    if (metricsRegistry) app.get('/metrics', metricsHandler(metricsRegistry));
    app.use('/ai', bridge);
    server = app.listen(0, '127.0.0.1', () => announce(server));
  }
  server.keepAliveTimeout = 60_000;
}
listen();

serveIpc({
  keyStatus: async () => bridge.keyPoolStatus(),
  dbBackends: async () => (recorder instanceof PostgresRecorder ? dbBackends() : []),
  redisServer,
  records: async () => (recorder instanceof MemoryRecorder ? { interceptions: recorder.interceptions.length, ends: recorder.interceptionEnds.length, tokenUsages: recorder.tokenUsages.length }
    : recorder && typeof recorder.stats === 'function' ? recorder.stats() : null),
});
