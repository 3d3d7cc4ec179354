// Hostile-load bench (issue 14's memory reproductions): peak RSS of the bridge and what clients got, as one table.
'use strict';
const http = require('node:http');
const path = require('node:path');
const { start, procMem } = require('./processes');
const { startHostileUpstream, MB } = require('./trust-upstream');

const QUICK = process.argv.includes('--quick');
// `--only=b,e`: just those scenario letters.
const ONLY = (process.argv.find((a) => a.startsWith('--only=')) || '').slice(7).split(',').filter(Boolean);
// A regression must abort the bridge, not eat the shared machine: V8's heap is capped and RSS is watched.
const HEAP_CAP_MB = 3072;
const RSS_KILL_BYTES = 4 * 1024 ** 3;
const PROMPT_BYTES = 30 * MB;
const PROMPT_REQUESTS = QUICK ? 15 : 150;
const ARGS_BYTES = QUICK ? 60 * MB : 300 * MB;
const MODEL_REQUESTS = QUICK ? 15 : 60;

const fmtMB = (b) => (Number.isFinite(b) ? `${Math.round(b / 2 ** 20)} MiB` : '?');

/** One request to the bridge; resolves (never rejects) with status, size, the answer's tail and the time it took. */
function send(port, { method = 'POST', path: p, body, headers = {} }) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const req = http.request({ host: '127.0.0.1', port, method, path: p, agent: false,
      headers: { 'content-type': 'application/json', authorization: 'Bearer client', ...headers, ...(body ? { 'content-length': body.length } : {}) } }, (res) => {
      let bytes = 0;
      let tail = '';
      res.on('data', (c) => { bytes += c.length; tail = (tail + c.toString('latin1', Math.max(0, c.length - 2048))).slice(-2048); });
      res.on('end', () => resolve({ status: res.statusCode, bytes, tail, ms: Date.now() - t0 }));
      res.on('error', (e) => resolve({ status: res.statusCode, bytes, tail, ms: Date.now() - t0, error: e.code || e.message }));
    });
    req.on('error', (e) => resolve({ status: 0, bytes: 0, tail: '', ms: Date.now() - t0, error: e.code || e.message }));
    req.end(body);
  });
}

/** The error code a provider-shaped answer or the last error event carries; Anthropic's `type` and the limit its message names. */
function codeOf(tail) {
  const code = [...tail.matchAll(/"code"\s*:\s*"([^"]+)"/g)].pop();
  if (code) return code[1];
  const type = [...tail.matchAll(/"error"\s*:\s*\{\s*"type"\s*:\s*"([^"]+)"/g)].pop();
  const option = [...tail.matchAll(/\((max[A-Za-z]+|timeouts\.[A-Za-z]+)\)/g)].pop();
  return type ? `${type[1]}${option ? ` (${option[1]})` : ''}` : '';
}

/** Starts a bridge child for one scenario, watches its RSS, and stops it afterwards; `run(port, bridge)` returns the row. */
async function withBridge(env, run) {
  const bridge = await start(path.join(__dirname, 'targets', 'trust-bridge.js'), {
    env: { NODE_ENV: 'production', ...env }, execArgv: [`--max-old-space-size=${HEAP_CAP_MB}`], name: 'trust-bridge',
  });
  let killed = false;
  let exit = null;
  bridge.child.once('exit', (code, signal) => { exit = signal || `exit ${code}`; });
  const watch = setInterval(() => {
    if (procMem(bridge.pid).rss > RSS_KILL_BYTES) { killed = true; bridge.child.kill('SIGKILL'); }
  }, 200);
  let row;
  try {
    row = await run(bridge.port, bridge);
  } finally {
    clearInterval(watch);
  }
  row.peak = procMem(bridge.pid).peak;
  const alive = exit === null;
  if (alive) {
    try { row.stats = await bridge.ask('stats', {}, 30_000); } catch (e) { row.stats = { error: e.message }; }
  }
  row.process = killed ? 'KILLED at 4 GiB RSS' : alive ? 'alive' : `crashed (${exit})`;
  if (!alive && !killed) row.crash = bridge.stderr.split('\n').filter(Boolean).slice(-3).join(' | ');
  await bridge.stop();
  return row;
}

/** Tallies `results` as "200×147, 413×3" and the error codes seen. */
function outcome(results) {
  const tally = {};
  for (const r of results) {
    const k = `${r.status || r.error}${codeOf(r.tail) ? ` ${codeOf(r.tail)}` : ''}${r.status && r.error ? ` then ${r.error}` : ''}`;
    tally[k] = (tally[k] || 0) + 1;
  }
  return Object.entries(tally).map(([k, n]) => `${k} ×${n}`).join(', ');
}

/** Three clients in parallel posting `body` to chat, `count` requests in all; stops a client once the bridge is gone. */
async function threeClients(port, body, count) {
  const results = [];
  let next = 0;
  const client = async () => {
    while (next < count) {
      next++;
      results.push(await send(port, { path: '/ai/openai/v1/chat/completions', body }));
      if (results.at(-1).status === 0) return;
    }
  };
  await Promise.all([client(), client(), client()]);
  return results;
}

/** (a) Three clients in parallel sending 30 MB user messages, PROMPT_REQUESTS in all. */
async function bigPrompts(recorder, fakeOrigin, hostileOrigin) {
  const body = Buffer.from(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'p'.repeat(PROMPT_BYTES) }] }));
  return withBridge({ TRUST_RECORDER: recorder, FAKE_ORIGIN: fakeOrigin, HOSTILE_ORIGIN: hostileOrigin }, async (port, bridge) => {
    const t0 = Date.now();
    const results = await threeClients(port, body, PROMPT_REQUESTS);
    const ms = Date.now() - t0;
    if (bridge.child.exitCode === null) await bridge.ask('flush', {}, 120_000).catch(() => {});
    return { scenario: `(a) 30 MB prompts, 3 clients, ${recorder === 'sqlite' ? 'SqliteRecorder' : 'MemoryRecorder'}`,
      requests: results.length, outcome: outcome(results), seconds: (ms / 1000).toFixed(1) };
  });
}

/** (f) Three clients in parallel sending 30 MB model names (the record's label, not its prompt), MODEL_REQUESTS in all. */
async function bigModelNames(fakeOrigin, hostileOrigin) {
  const body = Buffer.from(JSON.stringify({ model: `m${'n'.repeat(PROMPT_BYTES)}`, messages: [{ role: 'user', content: 'hi' }] }));
  return withBridge({ TRUST_RECORDER: 'memory', FAKE_ORIGIN: fakeOrigin, HOSTILE_ORIGIN: hostileOrigin }, async (port) => {
    const t0 = Date.now();
    const results = await threeClients(port, body, MODEL_REQUESTS);
    return { scenario: '(f) 30 MB model names, 3 clients, MemoryRecorder', requests: results.length, outcome: outcome(results),
      seconds: ((Date.now() - t0) / 1000).toFixed(1) };
  });
}

/** (b) One stream of ARGS_BYTES of tool-call arguments (or thinking, or text) from the upstream. */
async function hugeStream(shape, label, route, hostile) {
  const model = shape;
  return withBridge({ HOSTILE_ORIGIN: hostile.origin, FAKE_ORIGIN: hostile.origin }, async (port) => {
    hostile.stats.payloadSent = 0;
    const anthropic = route.includes('anthropic');
    const body = Buffer.from(JSON.stringify(anthropic
      ? { model, max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] }
      : route.endsWith('responses') ? { model, stream: true, input: 'hi' } : { model, stream: true, messages: [{ role: 'user', content: 'hi' }] }));
    const r = await send(port, { path: route, body, headers: anthropic ? { 'anthropic-version': '2023-06-01' } : {} });
    return { scenario: `(b) ${label}`, requests: 1, outcome: outcome([r]), seconds: (r.ms / 1000).toFixed(1),
      note: `upstream sent ${fmtMB(hostile.stats.payloadSent)} of ${fmtMB(ARGS_BYTES)}; client got ${fmtMB(r.bytes)}` };
  });
}

/** (c) A tool answering 60 MB per call, four calls a turn, three requests in parallel. */
async function hugeTool(hostile) {
  return withBridge({ HOSTILE_ORIGIN: hostile.origin, FAKE_ORIGIN: hostile.origin }, async (port) => {
    hostile.stats.loopCalls = 0;
    hostile.stats.largestLoopBody = 0;
    const body = Buffer.from(JSON.stringify({ model: 'loop', messages: [{ role: 'user', content: 'call the tool' }] }));
    const t0 = Date.now();
    const results = await Promise.all([0, 1, 2].map(() => send(port, { path: '/ai/hostile/v1/chat/completions', body })));
    return { scenario: '(c) 60 MB tool results, 4 calls/turn, 3 in parallel', requests: results.length, outcome: outcome(results),
      seconds: ((Date.now() - t0) / 1000).toFixed(1),
      note: `upstream calls ${hostile.stats.loopCalls}, largest loop body ${fmtMB(hostile.stats.largestLoopBody)}` };
  });
}

/** (e) A tool server listing 64 tools of 1 MB definitions each; ten chat requests in parallel. */
async function hugeDefinitions(fakeOrigin, hostile) {
  return withBridge({ TRUST_TOOL_DEFS: 'huge', FAKE_ORIGIN: fakeOrigin, HOSTILE_ORIGIN: hostile.origin }, async (port) => {
    const body = Buffer.from(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }));
    const t0 = Date.now();
    const results = await Promise.all(Array.from({ length: 10 }, () => send(port, { path: '/ai/openai/v1/chat/completions', body })));
    return { scenario: '(e) 64 injected tools of 1 MB definitions, 10 in parallel', requests: results.length, outcome: outcome(results),
      seconds: ((Date.now() - t0) / 1000).toFixed(1), note: 'the upstream (shared fake) refuses bodies over 32 MiB with 413' };
  });
}

/** (d) An upstream dripping a byte every 100 ms, with a 3 s total deadline: blocking, streaming, passthrough. */
async function drips(hostile) {
  return withBridge({ HOSTILE_ORIGIN: hostile.origin, FAKE_ORIGIN: hostile.origin, TRUST_TOTAL_MS: '3000' }, async (port) => {
    hostile.stats.dripClosedAfterMs = [];
    const chat = (model, stream) => Buffer.from(JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] }));
    const results = await Promise.all([
      send(port, { path: '/ai/drip/v1/chat/completions', body: chat('drip', false) }),
      send(port, { path: '/ai/drip/v1/chat/completions', body: chat('drip-stream', true) }),
      send(port, { method: 'GET', path: '/ai/drip/v1/models' }),
    ]);
    await new Promise((r) => setTimeout(r, 200));
    const labels = ['blocking', 'stream', 'passthrough'];
    return { scenario: '(d) 1 byte / 100 ms, totalMs 3000', requests: 3,
      outcome: results.map((r, i) => `${labels[i]}: ${outcome([r])} @${(r.ms / 1000).toFixed(1)} s`).join('; '),
      seconds: (Math.max(...results.map((r) => r.ms)) / 1000).toFixed(1),
      note: `upstream connections closed after ${hostile.stats.dripClosedAfterMs.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}` };
  });
}

/** The row's bounded-record figures, when there are any. */
function recordNote(stats) {
  if (!stats || stats.error) return stats ? stats.error : '';
  const r = stats.records || {};
  const parts = [`dropped ${stats.bridge.recorderDropped}`];
  if (r.longestModel !== undefined && r.longestModel > 1024) parts.push(`longest stored model ${fmtMB(r.longestModel)}`);
  if (r.longestPrompt !== undefined) parts.push(`longest stored prompt ${fmtMB(r.longestPrompt)}`, `longest tool args ${fmtMB(r.longestToolArgs)}`, `ends ${JSON.stringify(r.endStatuses)}`);
  if (r.queuedBytes !== undefined) parts.push(`store written ${r.written ?? '?'}, store dropped ${r.dropped ?? '?'}`);
  if (stats.toolCalls) parts.push(`tool calls ${stats.toolCalls}`);
  return parts.join(', ');
}

function printTable(rows) {
  const lines = ['| scenario | requests | outcome (status code ×n) | s | peak RSS | process | notes |', '|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const notes = [r.note, recordNote(r.stats), r.crash].filter(Boolean).join('; ');
    lines.push(`| ${r.scenario} | ${r.requests} | ${r.outcome} | ${r.seconds} | ${fmtMB(r.peak)} | ${r.process} | ${notes} |`);
  }
  console.log(lines.join('\n'));
}

async function main() {
  const t0 = Date.now();
  const fake = await start(path.join(__dirname, 'fake-upstream.js'), { name: 'fake-upstream', execArgv: ['--max-old-space-size=2048'] });
  const fakeOrigin = `http://127.0.0.1:${fake.port}`;
  const hostile = await startHostileUpstream({ argsBytes: ARGS_BYTES });
  const rows = [];
  const step = async (letter, fn) => {
    if (ONLY.length > 0 && !ONLY.includes(letter)) return;
    const row = await fn();
    rows.push(row);
    process.stderr.write(`${row.scenario}: ${row.outcome} (${fmtMB(row.peak)})\n`);
  };
  try {
    await step('a', () => bigPrompts('memory', fakeOrigin, hostile.origin));
    await step('a', () => bigPrompts('sqlite', fakeOrigin, hostile.origin));
    await step('b', () => hugeStream('chat', `${ARGS_BYTES / MB} MB hidden tool args, chat stream`, '/ai/hostile/v1/chat/completions', hostile));
    await step('b', () => hugeStream('responses', `${ARGS_BYTES / MB} MB hidden tool args, Responses stream`, '/ai/hostile/v1/responses', hostile));
    await step('b', () => hugeStream('messages', `${ARGS_BYTES / MB} MB hidden tool input, Messages stream`, '/ai/hostile-anthropic/v1/messages', hostile));
    await step('b', () => hugeStream('thinking', `${ARGS_BYTES / MB} MB thinking, Messages stream`, '/ai/hostile-anthropic/v1/messages', hostile));
    await step('b', () => hugeStream('unnamed', `${ARGS_BYTES / MB} MB args of a never-named call in choice 1, chat stream`, '/ai/hostile/v1/chat/completions', hostile));
    await step('b', () => hugeStream('text', `${ARGS_BYTES / MB} MB visible text, chat stream`, '/ai/hostile/v1/chat/completions', hostile));
    await step('c', () => hugeTool(hostile));
    await step('d', () => drips(hostile));
    await step('e', () => hugeDefinitions(fakeOrigin, hostile));
    await step('f', () => bigModelNames(fakeOrigin, hostile.origin));
  } finally {
    await hostile.close();
    await fake.stop();
  }
  printTable(rows);
  console.log(`\nTotal ${((Date.now() - t0) / 1000).toFixed(0)} s; bridge children run with --max-old-space-size=${HEAP_CAP_MB} and are killed past ${fmtMB(RSS_KILL_BYTES)} RSS.`);
}

main().catch((err) => { console.error(err); process.exit(1); });
