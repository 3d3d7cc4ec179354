/** The example app: an ordinary Express 5 server with express-aibridge at /ai and its usage dashboard at /admin/ai (run with `npm start`). */
'use strict';

const http = require('node:http');
const express = require('express');
const winston = require('winston');
const { helpText } = require('./help');
const { runStreamingDemo, runToolDemo, TOOL_QUESTION } = require('./demo');
const { DEMO_TOOL_CALLS } = require('./offline-tools');
const { parseMcpServers, createTools } = require('./mcp');
const { usageSummary } = require('./usage');
const { loadUsers, authenticate, requireUser, requireAdmin, actorFromUser } = require('./users');
const { dbFilename, openUsageStore } = require('./store');
const { createMetricsRegistry, metricsRoute } = require('./metrics');
const { startTracing } = require('./tracing');

const DEMO_TOKEN = 'demo-token-alice';
const DASHBOARD_PATH = '/admin/ai';
// The fake upstream only accepts this key, so a successful answer proves the bridge swapped the client's token for it.
const OFFLINE_KEY = 'sk-offline-demo-key-000000000000';
const SHUTDOWN_GRACE_MS = 10_000;

// By package name, as an app that installed it would: inside this repository Node resolves the name to the
// repository itself (through `exports`, i.e. dist/), and CI runs the same file against the packed tarball.
// The offline upstream is the package's test kit, `express-aibridge/testing`.
function loadPackage(name) {
  try {
    return require(name);
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND') throw new Error('express-aibridge is not built: run `npm run build` first (or `npm start`, which builds).');
    throw err;
  }
}

/** Everything the app reads from the environment, read once, here. */
function readConfig(env) {
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be an integer from 0 to 65535, got "${env.PORT}".`);
  return {
    port,
    host: env.HOST || '127.0.0.1',
    keys: (env.OPENAI_API_KEY || '').split(',').map((k) => k.trim()).filter(Boolean),
    baseURL: env.OPENAI_BASE_URL || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    users: loadUsers(env),
    mcpServers: parseMcpServers(env.MCP_SERVERS),
    db: dbFilename(env),
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
  };
}

/** The real OpenAI API when keys are configured; otherwise the built-in fake, so the example works offline. */
async function chooseUpstream(config, { startFakeUpstream }) {
  if (config.keys.length > 0) {
    return {
      offline: false,
      provider: { keys: config.keys, ...(config.baseURL ? { baseURL: config.baseURL } : {}) },
      describe: `online: ${config.keys.length} key(s) from OPENAI_API_KEY, upstream ${config.baseURL || 'https://api.openai.com/v1'}`,
      close: async () => undefined,
    };
  }
  // Word by word, 30 ms apart, quoting the question: the stream is visibly a stream and visibly this request's.
  const fake = await startFakeUpstream({ keys: [OFFLINE_KEY], chunkDelayMs: 30, echo: true, toolCalls: DEMO_TOOL_CALLS });
  return {
    offline: true,
    provider: { keys: [OFFLINE_KEY], baseURL: fake.url },
    describe: `offline: no OPENAI_API_KEY set, answering from the built-in fake OpenAI at ${fake.url}`,
    close: fake.close,
  };
}

function createApp({ bridge, recorder, users, help, createDashboard, logger, metrics }) {
  const app = express();
  app.disable('x-powered-by');
  // No body parser in front of the bridge: it reads (and streams) request bodies itself.
  app.use(authenticate(users));
  app.use('/ai', bridge);
  app.use(DASHBOARD_PATH, requireAdmin(users), createDashboard({ query: recorder, bridge, logger, title: 'express-aibridge example: usage' }));
  app.get('/metrics', requireAdmin(users), metrics);
  app.get('/', (_req, res) => {
    res.type('text/plain').send(help());
  });
  app.get('/usage', requireUser, async (req, res) => {
    const limit = Number(req.query.limit);
    try {
      res.json(await usageSummary(recorder, req.user.id, Number.isInteger(limit) && limit > 0 ? limit : 100));
    } catch (err) {
      logger.error(`GET /usage: the usage store failed: ${err instanceof Error ? err.message : err}`);
      res.status(503).json({ error: { message: 'The usage store did not answer; see the server log.', type: 'server_error', code: null } });
    }
  });
  app.get('/healthz', async (_req, res) => {
    const providers = await bridge.keyPoolStatus();
    const ok = providers.every((p) => p.keys.some((k) => k.state === 'healthy'));
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', providers });
  });
  return app;
}

/** The first admin's id and token, for the dashboard's login hint. */
function adminLogin(users) {
  const entry = Object.entries(users).find(([, u]) => u.admin);
  return entry ? { user: entry[1].id, token: entry[0] } : {};
}

/** The URL to print for the bound address; wildcard hosts are shown as loopback, which is where the demo connects. */
function originOf(server) {
  const { address, port, family } = server.address();
  const host = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address;
  return `http://${family === 'IPv6' && host !== '127.0.0.1' ? `[${host}]` : host}:${port}`;
}

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops taking connections, lets in-flight requests (streams included) finish via `bridge.close()`, then releases the rest. */
function shutdownOnSignals({ server, bridge, upstream, logger, stopTracing }) {
  let stopping = false;
  async function shutdown(signal) {
    if (stopping) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal}: shutting down (waiting for in-flight requests)`);
    const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
    const closed = new Promise((resolve) => server.close(resolve));
    try {
      await bridge.close();
      server.closeIdleConnections();
      await closed;
      await upstream.close();
      // Last: the spans of requests that just ended are exported before the process exits.
      if (stopTracing) await stopTracing();
      logger.info('stopped');
    } catch (err) {
      logger.error(`shutdown failed: ${err instanceof Error ? err.message : err}`);
      process.exitCode = 1;
    } finally {
      clearTimeout(force);
    }
  }
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, (s) => void shutdown(s));
}

async function main() {
  const config = readConfig(process.env);
  // Before the bridge exists, so that its `tracing: true` finds the SDK's tracer provider registered.
  const stopTracing = startTracing(config.otlpEndpoint);
  const { createBridge, createDashboard, openaiProvider, MemoryRecorder, SqliteRecorder, mcpToolInjector, metricsHandler } = loadPackage('express-aibridge');
  const logger = winston.createLogger({
    level: config.logLevel,
    format: process.stdout.isTTY ? winston.format.combine(winston.format.colorize(), winston.format.simple()) : winston.format.simple(),
    transports: [new winston.transports.Console()],
  });

  const upstream = await chooseUpstream(config, loadPackage('express-aibridge/testing'));
  let tools;
  try {
    // Offline, the app also runs its own small MCP server, so the injected-tool demo needs nothing from outside.
    tools = createTools({ mcpToolInjector, servers: config.mcpServers, withDemo: upstream.offline });
  } catch (err) {
    await upstream.close();
    throw err;
  }
  let store;
  let bridge;
  const registry = createMetricsRegistry();
  try {
    store = openUsageStore({ SqliteRecorder, MemoryRecorder, filename: config.db, logger });
    // From here on bridge.close() flushes and closes the store (it calls recorder.close()).
    bridge = createBridge({
      providers: [openaiProvider(upstream.provider)], actor: actorFromUser, recorder: store.recorder, logger, tools,
      ...(registry ? { metrics: { registry } } : {}),
      ...(stopTracing ? { tracing: true } : {}),
    });
  } catch (err) {
    await Promise.all([upstream.close(), tools && tools.close(), store && store.recorder.close && store.recorder.close()]);
    throw err;
  }
  const recorder = store.recorder;
  let origin = '';
  const mode = upstream.offline ? 'offline, fake upstream' : 'online, real OpenAI';
  const mcp = { servers: [...config.mcpServers.map((s) => s.name), ...(upstream.offline ? ['demo'] : [])], demoQuestion: upstream.offline ? TOOL_QUESTION : undefined };
  const dashboard = { path: DASHBOARD_PATH, ...adminLogin(config.users) };
  const help = () => helpText({ origin, token: DEMO_TOKEN, mode, mcp, dashboard });
  const metrics = metricsRoute(registry, metricsHandler);
  const server = http.createServer(createApp({ bridge, recorder, users: config.users, help, createDashboard, logger, metrics }));
  try {
    await listen(server, config.port, config.host);
  } catch (err) {
    await Promise.all([bridge.close(), upstream.close()]);
    throw err;
  }
  origin = originOf(server);
  shutdownOnSignals({ server, bridge, upstream, logger, stopTracing });

  console.log(`mode: ${upstream.describe}`);
  if (store.fallback) console.log('note: better-sqlite3 could not be loaded, so usage is kept in memory only; install it (npm install better-sqlite3@12.11.1) to keep it in a file.');
  console.log(`usage store: ${store.describe}`);
  if (mcp.servers.length > 0) console.log(`MCP tools from: ${mcp.servers.join(', ')}`);
  if (stopTracing) console.log(`traces: exported over OTLP/HTTP to ${config.otlpEndpoint}`);
  console.log(`listening on ${origin}`);
  console.log(`\n${help()}`);
  if (!upstream.offline) return;
  try {
    await runStreamingDemo({ baseURL: `${origin}/ai/openai/v1`, token: DEMO_TOKEN, out: process.stdout });
    await runToolDemo({ baseURL: `${origin}/ai/openai/v1`, token: DEMO_TOKEN, out: process.stdout });
    console.log(`server still running at ${origin}; Ctrl+C to stop.`);
  } catch (err) {
    logger.error(`demo request failed: ${err instanceof Error ? err.message : err}`);
  }
}

main().catch((err) => {
  console.error(`example-app failed to start: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
});
