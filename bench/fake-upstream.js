// The benchmark's upstream process: the shared fake (fake-upstream/) on a free port, with IPC for the orchestrator.
'use strict';
const { startFakeUpstream } = require('../fake-upstream');
const { serveIpc, announce } = require('./targets/ipc');
const { COOLING } = require('./keys');

// Not logging requests: the bench sends hundreds of thousands, some of 1 MiB. The first key of the "cooling" pool
// is rate-limited for an hour, so after the warm-up the bridge skips it on every request.
startFakeUpstream({ recordRequests: false, rateLimitedKeys: [COOLING], retryAfterSeconds: 3600 }).then((fake) => {
  // Streams in progress and how they ended, so the orchestrator can see whether aborts reach the upstream.
  serveIpc({ streams: () => ({ ...fake.streams }) });
  const port = Number(new URL(fake.origin).port);
  announce({ address: () => ({ address: '127.0.0.1', port }) });
}, (err) => {
  console.error(err);
  process.exit(1);
});
