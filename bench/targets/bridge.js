// express-aibridge in an Express app, as the benchmark target: BENCH_RECORDER=memory|off, BENCH_POOL=single|cooling.
'use strict';
const path = require('node:path');
const express = require('express');
const { serveIpc, announce } = require('./ipc');
const { createBridge, openaiProvider, MemoryRecorder } = require(path.join(__dirname, '..', '..', 'dist'));

const recorder = process.env.BENCH_RECORDER === 'memory' ? new MemoryRecorder() : undefined;
// In "cooling" mode the fake upstream answers 429 (retry-after 3600) to sk-cool, so after the
// warm-up the bridge skips the first key on every request, as with a real rate-limited key.
const keys = process.env.BENCH_POOL === 'cooling' ? ['sk-cool', 'sk-b', 'sk-c'] : ['sk-a'];
const bridge = createBridge({
  providers: [openaiProvider({ keys, baseURL: `${process.env.UPSTREAM_ORIGIN}/v1` })],
  actor: () => ({ id: 'bench-user' }),
  recorder,
});

const app = express();
app.use('/ai', bridge);
const server = app.listen(0, '127.0.0.1', () => announce(server));
server.keepAliveTimeout = 60_000;

serveIpc({
  keyStatus: async () => bridge.keyPoolStatus(),
  records: async () => (recorder ? { interceptions: recorder.interceptions.length, ends: recorder.interceptionEnds.length, tokenUsages: recorder.tokenUsages.length } : null),
});
