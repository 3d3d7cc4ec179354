// What the benchmark runs: the targets compared and the scenarios, with full and --quick request counts.
'use strict';

const SMALL_BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Say hello.' }] });
const streamBody = (chunks, delayMs) => JSON.stringify({ model: `bench-s${chunks}-d${delayMs}`, stream: true, messages: [{ role: 'user', content: 'Count to 200.' }] });
const MIB_BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(1024 * 1024 - 80) }] });

// Anthropic Messages and OpenAI Responses: the same shapes of load on their own paths. `provider` picks the bridge's
// mount (`/ai/anthropic`), `headers` replace the default bearer key, `streamTail` is what the last event contains.
const MESSAGES = { provider: 'anthropic', apiPath: '/v1/messages', headers: { 'x-api-key': 'sk-a', 'anthropic-version': '2023-06-01' }, streamTail: 'message_stop' };
const MESSAGES_BODY = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 256, system: 'You are terse.', messages: [{ role: 'user', content: 'Say hello.' }] });
const messagesStream = (chunks, delayMs) => JSON.stringify({ model: `bench-s${chunks}-d${delayMs}`, max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'Count to 200.' }] });
const RESPONSES = { apiPath: '/v1/responses', streamTail: 'response.completed' };
const RESPONSES_BODY = JSON.stringify({ model: 'gpt-5-mini', instructions: 'You are terse.', input: 'Say hello.' });
const responsesStream = (chunks, delayMs) => JSON.stringify({ model: `bench-s${chunks}-d${delayMs}`, stream: true, input: 'Count to 200.' });
const BRIDGE = { module: 'targets/bridge.js', prefix: '/ai/openai', prefixes: { anthropic: '/ai/anthropic' } };

/** Targets, in run order. `prefix` is where the target mounts the OpenAI API, `prefixes` other providers' (else `prefix`); `direct` has no process. */
const TARGETS = [
  { id: 'direct', label: 'direct to upstream (floor)', short: 'direct' },
  { id: 'raw', label: 'raw Node http pipe proxy', short: 'raw proxy', module: 'targets/raw-proxy.js' },
  { id: 'express-pipe', label: 'raw pipe inside an Express 5 app', short: 'Express pipe', module: 'targets/express-pipe.js', prefix: '/ai' },
  { id: 'express-gateway', label: 'least Express gateway: body read and JSON-parsed, actor required, key swapped, answer piped', short: 'Express gateway', module: 'targets/express-gateway.js', prefix: '/ai', extra: true },
  { id: 'bridge', label: 'aibridge, recorder off, 1 key', short: 'bridge', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single' } },
  { id: 'bridge-rec', label: 'aibridge, MemoryRecorder, 1 key', short: 'bridge+rec', ...BRIDGE, env: { BENCH_RECORDER: 'memory', BENCH_POOL: 'single' } },
  { id: 'bridge-sqlite', label: 'aibridge, SqliteRecorder (temp file), 1 key', short: 'bridge+sqlite', ...BRIDGE, env: { BENCH_RECORDER: 'sqlite', BENCH_POOL: 'single' }, extra: true },
  { id: 'bridge-pg', label: 'aibridge, PostgresRecorder (local server, fresh schema), 1 key', short: 'bridge+pg', ...BRIDGE, env: { BENCH_RECORDER: 'postgres', BENCH_POOL: 'single' }, extra: true },
  { id: 'bridge-pool', label: 'aibridge, recorder off, 3 keys (1st cooling)', short: 'bridge pool', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'cooling' } },
  { id: 'bridge-redis', label: 'aibridge, recorder off, 1 key, key state in Redis', short: 'bridge+redis', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single', BENCH_KEYSTATE: 'redis' }, extra: true },
  { id: 'bridge-node', label: 'aibridge on bare node:http, no Express app (reference)', short: 'bridge on node:http', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single', BENCH_MOUNT: 'node' } },
  { id: 'bridge-tools', label: 'aibridge, one no-op injected tool called once (2 upstream calls per request)', short: 'bridge+tool loop', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single', BENCH_TOOLS: 'noop' }, extra: true },
  { id: 'bridge-metrics', label: 'aibridge, recorder off, 1 key, Prometheus metrics on', short: 'bridge+metrics', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single', BENCH_METRICS: 'on' }, extra: true },
  { id: 'bridge-limits', label: 'aibridge, recorder off, 1 key, per-actor rate limits counted in memory', short: 'bridge+limits', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single', BENCH_LIMITS: 'memory' }, extra: true },
  { id: 'bridge-limits-redis', label: 'aibridge, recorder off, 1 key, per-actor rate limits counted in Redis', short: 'bridge+limits (Redis)', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single', BENCH_LIMITS: 'redis' }, extra: true },
  { id: 'bridge-otel-host', label: 'aibridge, recorder off, 1 key, Prometheus metrics on, the host\'s OpenTelemetry SDK and async-hooks context manager registered, bridge tracing off', short: 'bridge+metrics+host OTel', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single', BENCH_METRICS: 'on', BENCH_TRACING: 'host' }, extra: true },
  { id: 'bridge-limits-req', label: 'aibridge, recorder off, 1 key, a per-actor requests-per-minute limit counted in memory', short: 'bridge+rpm', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single', BENCH_LIMITS: 'memory-requests' }, extra: true },
  { id: 'bridge-limits-redis-req', label: 'aibridge, recorder off, 1 key, a per-actor requests-per-minute limit counted in Redis', short: 'bridge+rpm (Redis)', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single', BENCH_LIMITS: 'redis-requests' }, extra: true },
  { id: 'bridge-limits-base', label: 'aibridge from BENCH_BASE_DIST, recorder off, 1 key, per-actor rate limits counted in memory', short: 'bridge+limits (base)', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single', BENCH_LIMITS: 'memory', BENCH_DIST: process.env.BENCH_BASE_DIST }, extra: true },
  { id: 'bridge-limits-redis-base', label: 'aibridge from BENCH_BASE_DIST, recorder off, 1 key, per-actor rate limits counted in Redis', short: 'bridge+limits (Redis, base)', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single', BENCH_LIMITS: 'redis', BENCH_DIST: process.env.BENCH_BASE_DIST }, extra: true },
  { id: 'bridge-limits-req-base', label: 'aibridge from BENCH_BASE_DIST, recorder off, 1 key, a per-actor requests-per-minute limit counted in memory', short: 'bridge+rpm (base)', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single', BENCH_LIMITS: 'memory-requests', BENCH_DIST: process.env.BENCH_BASE_DIST }, extra: true },
  { id: 'bridge-limits-redis-req-base', label: 'aibridge from BENCH_BASE_DIST, recorder off, 1 key, a per-actor requests-per-minute limit counted in Redis', short: 'bridge+rpm (Redis, base)', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single', BENCH_LIMITS: 'redis-requests', BENCH_DIST: process.env.BENCH_BASE_DIST }, extra: true },
  { id: 'bridge-observed', label: 'aibridge, recorder off, 1 key, Prometheus metrics and OpenTelemetry tracing on (batch processor, exporter that drops)', short: 'bridge+metrics+traces', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single', BENCH_METRICS: 'on', BENCH_TRACING: 'on' }, extra: true },
  { id: 'bridge-observed-unbatched', label: 'aibridge, recorder off, 1 key, Prometheus metrics and OpenTelemetry tracing on, spans dropped at their end (no batch processor holding them): what holding the spans costs', short: 'bridge+metrics+traces (unbatched)', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single', BENCH_METRICS: 'on', BENCH_TRACING: 'unbatched' }, extra: true },
  // With BENCH_BASE_DIST=<another build's dist/>, the same bridge from that build: before and after in one run's rounds.
  ...(process.env.BENCH_BASE_DIST ? [
    { id: 'bridge-base', label: 'aibridge from BENCH_BASE_DIST, recorder off, 1 key', short: 'bridge (base)', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single', BENCH_DIST: process.env.BENCH_BASE_DIST }, extra: true },
    { id: 'bridge-base-rec', label: 'aibridge from BENCH_BASE_DIST, MemoryRecorder, 1 key', short: 'bridge+rec (base)', ...BRIDGE, env: { BENCH_RECORDER: 'memory', BENCH_POOL: 'single', BENCH_DIST: process.env.BENCH_BASE_DIST }, extra: true },
    { id: 'bridge-base-sqlite', label: 'aibridge from BENCH_BASE_DIST, SqliteRecorder (temp file), 1 key', short: 'bridge+sqlite (base)', ...BRIDGE, env: { BENCH_RECORDER: 'sqlite', BENCH_POOL: 'single', BENCH_DIST: process.env.BENCH_BASE_DIST }, extra: true },
    { id: 'bridge-base-metrics', label: 'aibridge from BENCH_BASE_DIST, recorder off, 1 key, Prometheus metrics on', short: 'bridge+metrics (base)', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single', BENCH_METRICS: 'on', BENCH_DIST: process.env.BENCH_BASE_DIST }, extra: true },
    { id: 'bridge-base-observed', label: 'aibridge from BENCH_BASE_DIST, recorder off, 1 key, Prometheus metrics and OpenTelemetry tracing on', short: 'bridge+metrics+traces (base)', ...BRIDGE, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single', BENCH_METRICS: 'on', BENCH_TRACING: 'on', BENCH_DIST: process.env.BENCH_BASE_DIST }, extra: true },
  ] : []),
  // Messages through bedrockProvider on the fake Bedrock: the Messages scenarios go to /ai/bedrock instead of /ai/anthropic.
  { id: 'bridge-bedrock', label: 'aibridge, recorder off, Messages through bedrockProvider (SigV4 static credentials, event stream decoded) on the fake Bedrock', short: 'bridge→Bedrock', ...BRIDGE, prefixes: { anthropic: '/ai/bedrock' }, env: { BENCH_RECORDER: 'off', BENCH_POOL: 'single', BENCH_BEDROCK: 'on' }, extra: true },
  { id: 'portkey', label: '@portkey-ai/gateway 1.15.2', short: 'Portkey', portkey: true },
];

// `extra` targets join only the scenarios that name them.
const ALL = TARGETS.filter((t) => !t.extra).map((t) => t.id);
const GATEWAYS = ALL.filter((id) => id !== 'direct');

/**
 * Scenarios, in run order within a target. `kind`: run (driver load), idle (hold open streams),
 * aborted (batches of streams aborted after the first byte), rss (long run on a fresh process),
 * rounds (after everything else: the targets in turn, several times; see rounds.js; each rounds scenario is its own set).
 * `n`/`warmup` are [full, quick].
 */
const SCENARIOS = [
  { id: 'block-c1', group: 'blocking', label: 'blocking JSON, c=1', kind: 'run', body: SMALL_BODY, concurrency: 1, n: [5000, 300], warmup: [500, 50], targets: [...ALL, 'bridge-redis', 'bridge-tools'] },
  { id: 'block-c20', group: 'blocking', label: 'blocking JSON, c=20', kind: 'run', body: SMALL_BODY, concurrency: 20, n: [20000, 1000], warmup: [2000, 200], targets: [...ALL, 'express-gateway', 'bridge-tools'] },
  { id: 'block-c20-rounds', group: 'blocking', label: 'blocking JSON, c=20, interleaved rounds', kind: 'rounds', body: SMALL_BODY, concurrency: 20, rounds: [3, 1], n: [10000, 1000], warmup: [2000, 200], targets: ['raw', 'express-pipe', 'express-gateway', 'bridge', 'bridge-rec', 'bridge-sqlite', 'bridge-pg', 'bridge-pool', 'bridge-redis', 'bridge-node', 'bridge-metrics', 'bridge-otel-host', 'bridge-observed', 'bridge-observed-unbatched', 'bridge-limits', 'bridge-limits-redis', 'bridge-base', 'bridge-base-rec', 'bridge-base-sqlite', 'bridge-base-metrics', 'bridge-base-observed', 'portkey', 'bridge-limits-req', 'bridge-limits-redis-req', 'bridge-limits-base', 'bridge-limits-redis-base', 'bridge-limits-redis-req-base', 'bridge-limits-req-base'] },
  { id: 'stream-c20-rounds', group: 'stream', label: 'stream 50 chunks, c=20, interleaved rounds', kind: 'rounds', body: streamBody(50, 0), stream: true, concurrency: 20, rounds: [3, 1], n: [4000, 400], warmup: [400, 50], targets: ['express-pipe', 'express-gateway', 'bridge', 'bridge-rec', 'bridge-sqlite', 'bridge-pg', 'bridge-metrics', 'bridge-otel-host', 'bridge-observed', 'bridge-observed-unbatched', 'bridge-limits', 'bridge-limits-redis', 'bridge-base', 'bridge-base-rec', 'bridge-base-sqlite', 'bridge-base-metrics', 'bridge-base-observed', 'bridge-limits-req', 'bridge-limits-redis-req', 'bridge-limits-base', 'bridge-limits-redis-base', 'bridge-limits-redis-req-base', 'bridge-limits-req-base'] },
  { id: 'block-c100', group: 'blocking', label: 'blocking JSON, c=100', kind: 'run', body: SMALL_BODY, concurrency: 100, n: [20000, 1000], warmup: [2000, 200], targets: ALL },
  { id: 'stream-c1', group: 'stream', label: 'stream 200 chunks, c=1', kind: 'run', body: streamBody(200, 0), stream: true, concurrency: 1, n: [500, 50], warmup: [50, 10], targets: [...ALL, 'bridge-tools'] },
  { id: 'stream-c50', group: 'stream', label: 'stream 200 chunks, c=50', kind: 'run', body: streamBody(200, 0), stream: true, concurrency: 50, n: [4000, 200], warmup: [400, 50], targets: [...ALL, 'bridge-tools'] },
  { id: 'stream-paced', group: 'stream', label: 'stream 200 chunks × 5 ms, c=10', kind: 'run', body: streamBody(200, 5), stream: true, gaps: true, concurrency: 10, n: [20, 10], warmup: [10, 0], targets: ALL },
  { id: 'body-1mib', group: 'body', label: '1 MiB request body, c=4', kind: 'run', body: MIB_BODY, concurrency: 4, n: [300, 40], warmup: [40, 10], targets: ALL },
  { id: 'models', group: 'passthrough', label: 'passthrough GET /v1/models, c=20', kind: 'run', method: 'GET', apiPath: '/v1/models', concurrency: 20, n: [5000, 500], warmup: [500, 100], targets: ['direct', 'raw', 'express-pipe', 'bridge', 'bridge-node', 'portkey'] },
  { id: 'idle-streams', group: 'memory', label: 'open idle streams (memory)', kind: 'idle', body: streamBody(2, 600000), n: [1000, 200], waves: [4, 2], fresh: true, targets: GATEWAYS },
  { id: 'aborted-streams', group: 'memory', label: 'streams aborted after first byte', kind: 'aborted', body: streamBody(200, 5), concurrency: 50, batches: [10, 3], batch: [1000, 300], warmup: [1000, 200], fresh: true, targets: ['bridge', 'bridge-rec'] },
  { id: 'messages-block-c1', group: 'messages', label: 'Anthropic Messages, blocking JSON, c=1', kind: 'run', ...MESSAGES, body: MESSAGES_BODY, concurrency: 1, n: [2000, 200], warmup: [300, 50], targets: ['direct', 'bridge'] },
  { id: 'messages-block-c20', group: 'messages', label: 'Anthropic Messages, blocking JSON, c=20', kind: 'run', ...MESSAGES, body: MESSAGES_BODY, concurrency: 20, n: [10000, 1000], warmup: [1000, 200], targets: ['direct', 'bridge', 'bridge-tools'] },
  { id: 'messages-stream-c1', group: 'messages', label: 'Anthropic Messages, stream 200 deltas, c=1', kind: 'run', ...MESSAGES, body: messagesStream(200, 0), stream: true, concurrency: 1, n: [300, 50], warmup: [50, 10], targets: ['direct', 'bridge'] },
  { id: 'messages-stream-c50', group: 'messages', label: 'Anthropic Messages, stream 200 deltas, c=50', kind: 'run', ...MESSAGES, body: messagesStream(200, 0), stream: true, concurrency: 50, n: [2000, 200], warmup: [200, 50], targets: ['direct', 'bridge', 'bridge-tools'] },
  // The same Messages loads through Bedrock; `vs`: the report divides each row by that target's (the Anthropic row).
  { id: 'bedrock-block-c20', group: 'bedrock', label: 'Messages via Bedrock vs Anthropic, blocking JSON, c=20', kind: 'run', ...MESSAGES, body: MESSAGES_BODY, concurrency: 20, n: [10000, 1000], warmup: [1000, 200], targets: ['bridge', 'bridge-bedrock'], vs: 'bridge' },
  { id: 'bedrock-stream-c1', group: 'bedrock', label: 'Messages via Bedrock vs Anthropic, stream 200 deltas, c=1', kind: 'run', ...MESSAGES, body: messagesStream(200, 0), stream: true, concurrency: 1, n: [300, 50], warmup: [50, 10], targets: ['bridge', 'bridge-bedrock'], vs: 'bridge' },
  { id: 'bedrock-stream-c50', group: 'bedrock', label: 'Messages via Bedrock vs Anthropic, stream 200 deltas, c=50', kind: 'run', ...MESSAGES, body: messagesStream(200, 0), stream: true, concurrency: 50, n: [2000, 200], warmup: [200, 50], targets: ['bridge', 'bridge-bedrock'], vs: 'bridge' },
  { id: 'responses-block-c1', group: 'responses', label: 'OpenAI Responses, blocking JSON, c=1', kind: 'run', ...RESPONSES, body: RESPONSES_BODY, concurrency: 1, n: [2000, 200], warmup: [300, 50], targets: ['direct', 'bridge'] },
  { id: 'responses-block-c20', group: 'responses', label: 'OpenAI Responses, blocking JSON, c=20', kind: 'run', ...RESPONSES, body: RESPONSES_BODY, concurrency: 20, n: [10000, 1000], warmup: [1000, 200], targets: ['direct', 'bridge', 'bridge-tools'] },
  { id: 'responses-stream-c1', group: 'responses', label: 'OpenAI Responses, stream 200 deltas, c=1', kind: 'run', ...RESPONSES, body: responsesStream(200, 0), stream: true, concurrency: 1, n: [300, 50], warmup: [50, 10], targets: ['direct', 'bridge'] },
  { id: 'responses-stream-c50', group: 'responses', label: 'OpenAI Responses, stream 200 deltas, c=50', kind: 'run', ...RESPONSES, body: responsesStream(200, 0), stream: true, concurrency: 50, n: [2000, 200], warmup: [200, 50], targets: ['direct', 'bridge', 'bridge-tools'] },
  { id: 'rss-50k', group: 'memory', label: 'blocking requests, RSS before/after', kind: 'rss', body: SMALL_BODY, concurrency: 50, n: [50000, 5000], warmup: [1000, 200], fresh: true, targets: ['raw', 'express-pipe', 'bridge', 'bridge-rec', 'bridge-node'] },
];

module.exports = { TARGETS, SCENARIOS };
