// The bridge under hostile load (bench/trust.js): dist/ in an Express app, TRUST_RECORDER=memory|sqlite, a 60 MB tool, TRUST_TOOL_DEFS=huge.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const express = require('express');
const { serveIpc, announce } = require('./ipc');
const { createBridge, openaiProvider, anthropicProvider, MemoryRecorder, SqliteRecorder } = require(path.join(__dirname, '..', '..', 'dist'));

const KEY = 'sk-trust-bench-0123456789abcdef';
const TOOL_RESULT_BYTES = Number(process.env.TRUST_TOOL_BYTES || 60e6);

function sqliteRecorder() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aibridge-trust-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return new SqliteRecorder({ filename: path.join(dir, 'usage.db') });
}
const recorder = process.env.TRUST_RECORDER === 'sqlite' ? sqliteRecorder() : new MemoryRecorder();

// A hostile tool: every call answers a fresh 60 MB text, as a misbehaving MCP server would (no shared buffer).
let toolCalls = 0;
// TRUST_TOOL_DEFS=huge: a tool server that also lists 64 tools of 1 MB definitions each.
const BIG_DEFINITIONS = process.env.TRUST_TOOL_DEFS === 'huge'
  ? Array.from({ length: 64 }, (_, i) => ({ name: `bmcp_bench_d${String(i).padStart(2, '0')}`, description: 'd'.repeat(1e6), inputSchema: { type: 'object' }, serverName: 'bench' }))
  : [];
const TOOL_LIST = [{ name: 'bmcp_bench_big', description: 'Answers a lot.', inputSchema: { type: 'object', properties: {} }, serverName: 'bench' }, ...BIG_DEFINITIONS];
const HUGE_TOOLS = {
  listTools: () => TOOL_LIST,
  callTool: async () => {
    toolCalls++;
    return { content: [{ type: 'text', text: Buffer.alloc(TOOL_RESULT_BYTES, 0x61 + (toolCalls % 26)).toString('latin1') }] };
  },
};

const fake = process.env.FAKE_ORIGIN;
const hostile = process.env.HOSTILE_ORIGIN;
const bridge = createBridge({
  providers: [
    // The shared fake upstream: scenario (a), large prompts on the plain path.
    openaiProvider({ name: 'openai', keys: [KEY], baseURL: `${fake}/v1` }),
    // The hostile upstream: huge hidden arguments, tool loops, drips (the last one with a 3 s total deadline).
    openaiProvider({ name: 'hostile', keys: [KEY], baseURL: `${hostile}/v1` }),
    anthropicProvider({ name: 'hostile-anthropic', keys: [KEY], baseURL: hostile }),
    openaiProvider({ name: 'drip', keys: [KEY], baseURL: `${hostile}/v1`, timeouts: { totalMs: Number(process.env.TRUST_TOTAL_MS || 3000) } }),
  ],
  actor: () => ({ id: 'trust-bench' }),
  recorder,
  tools: HUGE_TOOLS,
  logger: silentLogger(),
});

/** Warnings are expected by the hundred here (drops, cuts); the bench reads counters instead (TRUST_LOG=1 prints them). */
function silentLogger() {
  const winston = require('winston');
  return winston.createLogger({ silent: !process.env.TRUST_LOG, level: 'debug', transports: [new winston.transports.Console()] });
}

/** The longest text each record kind kept, and how many records: proof that one record's bytes are bounded. */
function memoryRecords() {
  const longest = (list, field) => list.reduce((m, r) => Math.max(m, typeof r[field] === 'string' ? r[field].length : JSON.stringify(r[field] ?? '').length), 0);
  return {
    interceptions: recorder.interceptions.length,
    longestModel: longest(recorder.interceptions, 'model'),
    ends: recorder.interceptionEnds.length,
    endStatuses: recorder.interceptionEnds.reduce((m, e) => ({ ...m, [`${e.status}/${e.errorType ?? '-'}`]: (m[`${e.status}/${e.errorType ?? '-'}`] || 0) + 1 }), {}),
    prompts: recorder.promptUsages.length,
    longestPrompt: longest(recorder.promptUsages, 'prompt'),
    toolUsages: recorder.toolUsages.length,
    longestToolArgs: longest(recorder.toolUsages, 'args'),
    longestError: longest(recorder.interceptionEnds, 'errorMessage'),
  };
}

const app = express();
app.use('/ai', bridge);
const server = app.listen(0, '127.0.0.1', () => announce(server));

serveIpc({
  stats: async () => ({
    bridge: bridge.stats(),
    records: recorder instanceof MemoryRecorder ? memoryRecords() : { ...recorder.stats() },
    toolCalls,
  }),
  flush: async () => { if (typeof recorder.flush === 'function') await recorder.flush(); return true; },
});
