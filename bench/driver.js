// Load driver (own process, IPC-controlled): fixed request count at fixed concurrency over an undici Pool; latency, TTFB, gaps.
'use strict';
const { Pool } = require('undici');
const { performance } = require('node:perf_hooks');

function stats(values) {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  let sum = 0;
  for (const v of sorted) sum += v;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1], mean: sum / sorted.length };
}

/** One request; resolves (never rejects) with what was observed. */
function request(pool, spec, opts = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let status = 0;
    let ttfb = -1;
    let last = 0;
    let reads = 0;
    let bytes = 0;
    let tail;
    let done = false;
    const finish = (result) => {
      if (done) return;
      done = true;
      resolve(result);
    };
    pool.dispatch({ path: spec.path, method: spec.method, headers: spec.headers, body: spec.body }, {
      onRequestStart(controller) {
        if (opts.onController) opts.onController(controller);
      },
      onResponseStart(_controller, statusCode) {
        status = statusCode;
      },
      onResponseData(controller, chunk) {
        const now = performance.now();
        reads++;
        bytes += chunk.length;
        tail = chunk;
        if (ttfb < 0) {
          ttfb = now - t0;
          if (opts.onFirstByte) opts.onFirstByte(controller, ttfb);
          if (opts.abortAfterFirstByte) {
            // finish first: abort() reports back through onResponseError synchronously.
            finish({ ok: status >= 200 && status < 300, status, ms: now - t0, ttfb, reads, bytes, aborted: true });
            controller.abort(new Error('bench: aborted after first byte'));
            return;
          }
        } else if (opts.gaps) {
          opts.gaps.push(now - last);
        }
        last = now;
      },
      onResponseEnd() {
        // A stream that lost its terminal event is an error, not a fast response.
        const complete = !opts.expectTail || (tail !== undefined && tail.includes(opts.expectTail));
        finish({ ok: status >= 200 && status < 300 && complete, status, error: complete ? undefined : 'incomplete body', ms: performance.now() - t0, ttfb, reads, bytes });
      },
      onResponseError(_controller, err) {
        finish({ ok: false, status, error: err.code || err.message, ms: performance.now() - t0, ttfb, reads, bytes });
      },
    });
  });
}

function makePool(origin, connections) {
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 120_000, bodyTimeout: 120_000 });
}

function specOf(cmd) {
  return { path: cmd.path, method: cmd.method, headers: cmd.headers, body: cmd.body === undefined ? undefined : Buffer.from(cmd.body) };
}

/** `n` requests, `concurrency` at a time, after `warmup` unmeasured ones. */
async function run(cmd) {
  const pool = makePool(cmd.origin, cmd.concurrency);
  const spec = specOf(cmd);
  const opts = { abortAfterFirstByte: cmd.abortAfterFirstByte, expectTail: cmd.expectTail, gaps: cmd.gaps ? [] : undefined };
  const phase = async (count, record) => {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        next++;
        const r = await request(pool, spec, record ? opts : { abortAfterFirstByte: cmd.abortAfterFirstByte, expectTail: cmd.expectTail });
        if (record) record(r);
      }
    };
    await Promise.all(Array.from({ length: Math.min(cmd.concurrency, count) }, worker));
  };
  await phase(cmd.warmup || 0, null);
  if (opts.gaps) opts.gaps.length = 0;
  const latency = [];
  const ttfb = [];
  const reads = [];
  const errorSamples = [];
  let errors = 0;
  let bytes = 0;
  const statuses = {};
  const t0 = performance.now();
  await phase(cmd.n, (r) => {
    statuses[r.status] = (statuses[r.status] || 0) + 1;
    if (!r.ok) {
      errors++;
      if (errorSamples.length < 3) errorSamples.push(r.error || `HTTP ${r.status}`);
      return;
    }
    latency.push(r.ms);
    if (r.ttfb >= 0) ttfb.push(r.ttfb);
    reads.push(r.reads);
    bytes += r.bytes;
  });
  const durationMs = performance.now() - t0;
  await pool.destroy();
  return {
    n: cmd.n, concurrency: cmd.concurrency, durationMs, rps: (cmd.n / durationMs) * 1000, errors, errorSamples, statuses,
    latency: stats(latency), ttfb: stats(ttfb), readsPerResponse: stats(reads), gaps: opts.gaps ? stats(opts.gaps) : null,
    bytesPerResponse: latency.length ? bytes / latency.length : 0,
  };
}

let held;

/** Opens `n` more streams (at most `opening` connecting at once) and keeps them open after their first byte. */
async function hold(cmd) {
  if (!held) held = { pool: makePool(cmd.origin, 100_000), controllers: [], closed: [] };
  const spec = specOf(cmd);
  let opened = 0;
  let errors = 0;
  const errorSamples = [];
  const t0 = performance.now();
  let inFlight = 0;
  let wake;
  const settle = (state, ok, why) => {
    if (state.counted) return;
    state.counted = true;
    inFlight--;
    if (ok) opened++;
    else { errors++; if (errorSamples.length < 3) errorSamples.push(why); }
    if (wake) { const w = wake; wake = undefined; w(); }
  };
  for (let i = 0; i < cmd.n; i++) {
    while (inFlight >= (cmd.opening || 100)) await new Promise((r) => { wake = r; });
    inFlight++;
    const state = { counted: false };
    held.closed.push(request(held.pool, spec, {
      onController: (c) => held.controllers.push(c),
      onFirstByte: () => settle(state, true),
    }).then((r) => settle(state, false, r.error || `ended early: HTTP ${r.status}`)));
  }
  while (inFlight > 0) await new Promise((r) => { wake = r; });
  return { n: cmd.n, opened, errors, errorSamples, openMs: performance.now() - t0 };
}

async function release() {
  if (!held) return { released: 0 };
  const { pool, controllers, closed } = held;
  held = undefined;
  for (const c of controllers) c.abort(new Error('bench: release'));
  await Promise.all(closed);
  await pool.destroy();
  return { released: controllers.length };
}

const COMMANDS = { run, hold, release };

process.on('message', async (msg) => {
  let value;
  try {
    value = await COMMANDS[msg.type](msg);
  } catch (err) {
    value = { error: String(err && err.stack ? err.stack : err) };
  }
  process.send({ type: 'reply', id: msg.id, value });
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', port: 0 });
