// How each kind of scenario is measured: driver load, idle streams, aborted streams, long RSS runs.
'use strict';
const { setTimeout: sleep } = require('node:timers/promises');
const { procMem, resetPeak } = require('./processes');
const { requestOf } = require('./endpoints');

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) { num += (p.x - mx) * (p.y - my); den += (p.x - mx) ** 2; }
  return den === 0 ? 0 : num / den;
}

async function memOf(endpoint, gc) {
  const heap = await endpoint.proc.ask('mem', { gc });
  return { ...procMem(endpoint.proc.pid), heapUsed: heap.heapUsed, external: heap.external };
}

/** `runner(scenario, endpoint, ctx)`; `ctx.pick([full, quick])` chooses the count for the mode. */
const RUNNERS = {
  async run(scenario, endpoint, ctx) {
    const req = { ...requestOf(endpoint, scenario), concurrency: scenario.concurrency, gaps: scenario.gaps };
    await ctx.driver.ask('run', { ...req, n: ctx.pick(scenario.warmup) }, 300_000);
    if (endpoint.proc) resetPeak(endpoint.proc.pid);
    const cpu = endpoint.proc && (await endpoint.proc.ask('cpu'));
    const r = await ctx.driver.ask('run', { ...req, n: ctx.pick(scenario.n) }, 300_000);
    if (endpoint.proc) {
      const end = await endpoint.proc.ask('cpu');
      // CPU time the target spent per request: steadier than req/s when the machine is shared.
      r.cpuUsPerRequest = (end.user + end.system - cpu.user - cpu.system) / ctx.pick(scenario.n);
      r.peakRss = procMem(endpoint.proc.pid).peak;
    }
    return r;
  },

  async idle(scenario, endpoint, ctx) {
    // RSS is sampled (after GC) at 0 and after each wave of opened streams; the slope is the cost per stream.
    const samples = [];
    const sample = async (open) => {
      await sleep(300);
      await memOf(endpoint, true);
      const m = await memOf(endpoint, true);
      samples.push({ open, rss: m.rss, heapUsed: m.heapUsed });
    };
    await sample(0);
    resetPeak(endpoint.proc.pid);
    const waves = ctx.pick(scenario.waves);
    const perWave = Math.round(ctx.pick(scenario.n) / waves);
    let opened = 0;
    let errors = 0;
    const errorSamples = [];
    for (let i = 0; i < waves; i++) {
      const held = await ctx.driver.ask('hold', { ...requestOf(endpoint, scenario), n: perWave }, 120_000);
      opened += held.opened || 0;
      errors += held.errors || 0;
      errorSamples.push(...(held.errorSamples || []));
      await sample(opened);
    }
    const upstreamOpen = (await ctx.upstream.ask('streams')).active;
    await ctx.driver.ask('release', {}, 60_000);
    const perStream = (key) => slope(samples.map((x) => ({ x: x.open, y: x[key] })));
    return {
      n: ctx.pick(scenario.n), opened, errors, errorSamples: errorSamples.slice(0, 3), samples, upstreamOpen,
      rssBefore: samples[0].rss, rssDuring: samples[samples.length - 1].rss, peakRss: procMem(endpoint.proc.pid).peak,
      bytesPerStream: perStream('rss'), heapPerStream: perStream('heapUsed'),
    };
  },

  async aborted(scenario, endpoint, ctx) {
    const req = { ...requestOf(endpoint, scenario), abortAfterFirstByte: true, concurrency: scenario.concurrency };
    await ctx.driver.ask('run', { ...req, n: ctx.pick(scenario.warmup) }, 300_000);
    await sleep(500); // the warm-up's last aborts reach the upstream before it is counted
    resetPeak(endpoint.proc.pid);
    const samples = [];
    let errors = 0;
    const batch = ctx.pick(scenario.batch);
    const before = await ctx.upstream.ask('streams');
    for (let i = 1; i <= ctx.pick(scenario.batches); i++) {
      const r = await ctx.driver.ask('run', { ...req, n: batch }, 300_000);
      errors += r.errors;
      await sleep(200); // let the gateway notice the last aborts
      const m = await memOf(endpoint, true);
      samples.push({ streams: i * batch, rss: m.rss, heapUsed: m.heapUsed });
    }
    const after = await ctx.upstream.ask('streams');
    const perK = (key) => slope(samples.map((s) => ({ x: s.streams / 1000, y: s[key] / 1048576 })));
    return {
      samples, errors, n: samples.length * batch, rssSlopeMbPerK: perK('rss'), heapSlopeMbPerK: perK('heapUsed'), peakRss: procMem(endpoint.proc.pid).peak,
      // Upstream streams cut short (the gateway aborted them) vs run to completion (it did not), and still open at the end.
      upstreamClosedEarly: after.closedEarly - before.closedEarly, upstreamCompleted: after.completed - before.completed, upstreamOpen: after.active,
    };
  },

  async rss(scenario, endpoint, ctx) {
    const req = { ...requestOf(endpoint, scenario), concurrency: scenario.concurrency };
    await ctx.driver.ask('run', { ...req, n: ctx.pick(scenario.warmup) }, 300_000);
    await sleep(200);
    const before = procMem(endpoint.proc.pid);
    resetPeak(endpoint.proc.pid);
    const r = await ctx.driver.ask('run', { ...req, n: ctx.pick(scenario.n) }, 600_000);
    await sleep(200);
    const after = procMem(endpoint.proc.pid);
    const heap = await endpoint.proc.ask('mem');
    const spaces = await endpoint.proc.ask('heapSpaces');
    const afterGc = await memOf(endpoint, true);
    return {
      ...r, rssBefore: before.rss, rssAfter: after.rss, rssAfterGc: afterGc.rss, peakRss: after.peak,
      // Where the RSS is: V8 heap committed vs live, and old space (garbage promoted by per-request allocation shows up there).
      heapTotalAfter: heap.heapTotal, heapUsedAfter: heap.heapUsed, oldSpaceAfter: spaces.old_space && spaces.old_space.size, heapUsedAfterGc: afterGc.heapUsed,
    };
  },
};

module.exports = { RUNNERS, slope };
