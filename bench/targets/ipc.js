// IPC glue shared by target processes: says "ready" with the port, answers memory probes and custom queries.
'use strict';

/** Answers `{type:'mem', gc}` and any `{type:name}` found in `queries`; exits when the orchestrator goes away. */
function serveIpc(queries = {}) {
  process.on('message', async (msg) => {
    let reply;
    try {
      if (msg.type === 'mem') {
        if (msg.gc && typeof global.gc === 'function') global.gc();
        reply = process.memoryUsage();
      } else if (msg.type === 'cpu') {
        reply = process.cpuUsage();
      } else if (msg.type === 'heapSpaces') {
        reply = Object.fromEntries(require('node:v8').getHeapSpaceStatistics().map((sp) => [sp.space_name, { size: sp.space_size, used: sp.space_used_size }]));
      } else if (queries[msg.type]) {
        reply = await queries[msg.type](msg);
      } else {
        reply = { error: `unknown query ${msg.type}` };
      }
    } catch (err) {
      reply = { error: String(err && err.message ? err.message : err) };
    }
    process.send({ type: 'reply', id: msg.id, value: reply });
  });
  process.on('disconnect', () => process.exit(0));
}

/** Tells the orchestrator that `server` listens, and where. */
function announce(server) {
  const { address, port } = server.address();
  process.send({ type: 'ready', address, port });
}

module.exports = { serveIpc, announce };
