// The benchmark's upstream process: the package's fake upstream (dist/testing, after `npm run build`) on a free port, with IPC for the orchestrator.
'use strict';
const { startFakeUpstream } = require('../dist/testing');
const { serveIpc, announce } = require('./targets/ipc');
const { COOLING, BEDROCK_ACCESS_KEYS } = require('./keys');
// Plain JavaScript the build does not copy: the fake Bedrock runtime, answering from the fake above.
const { startFakeBedrock } = require('../lib/testing/fake/bedrock');

// Not logging requests: the bench sends hundreds of thousands, some of 1 MiB. The first key of the "cooling" pool
// is rate-limited for an hour, so after the warm-up the bridge skips it on every request.
// The tools target's injected no-op tool is called once per request, then the usual answer (not a quote of the
// tool's result), so the tool loop's cost is measured on its own.
const toolCalls = [{ tool: 'bmcp_bench_noop', quote: false }];
// Beside it, a fake Bedrock runtime (SigV4 checked on every request) that answers each repeated request from the
// event-stream frames it prepared for the first: the Bedrock target's streams cost the fake what the Anthropic ones do.
startFakeUpstream({ recordRequests: false, rateLimitedKeys: [COOLING], retryAfterSeconds: 3600, toolCalls }).then(async (fake) => {
  const bedrock = await startFakeBedrock({ upstream: fake, credentials: [BEDROCK_ACCESS_KEYS], recordRequests: false, reuseAnswers: true });
  // Streams in progress and how they ended, so the orchestrator can see whether aborts reach the upstream.
  serveIpc({ streams: () => ({ ...fake.streams }), bedrock: () => ({ url: bedrock.url, streams: { ...bedrock.streams } }) });
  announce({ address: () => ({ address: '127.0.0.1', port: fake.port }) });
}, (err) => {
  console.error(err);
  process.exit(1);
});
