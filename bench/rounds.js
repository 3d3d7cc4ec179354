// Interleaved rounds of the c=20 blocking load (each target in turn, several times) so throughput ratios compare close measurements.
// Each target gets a fresh process per round; a ratio is taken within a round, so a busy moment of the shared machine
// cannot put one target in a quiet minute and the other in a loud one.
'use strict';
const { startTarget, warmTarget, requestOf } = require('./endpoints');
const { waitForQuiet, cpuTicks, foreignCores } = require('./processes');

function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function measure(target, scenario, ctx) {
  const endpoint = await startTarget(target, ctx);
  try {
    await warmTarget(endpoint, ctx);
    const req = { ...requestOf(endpoint, scenario), concurrency: scenario.concurrency };
    await ctx.driver.ask('run', { ...req, n: ctx.pick(scenario.warmup) }, 300_000);
    const pids = [process.pid, ctx.upstream.pid, ctx.driver.pid, endpoint.proc.pid];
    await waitForQuiet(pids, ctx.quietMs);
    const ticks = cpuTicks(pids);
    const c0 = await endpoint.proc.ask('cpu');
    const r = await ctx.driver.ask('run', { ...req, n: ctx.pick(scenario.n) }, 300_000);
    const c1 = await endpoint.proc.ask('cpu');
    return {
      rps: r.rps, p50: r.latency && r.latency.p50, p99: r.latency && r.latency.p99, errors: r.errors,
      cpuUsPerRequest: (c1.user + c1.system - c0.user - c0.system) / ctx.pick(scenario.n), otherCpu: foreignCores(ticks, cpuTicks(pids)),
    };
  } finally {
    await endpoint.proc.stop();
  }
}

/** `{ rounds, n, byTarget: { id: [per-round result] }, summary: { id: { rps, cpuUsPerRequest, ratio: { otherId: median } } } }` */
async function runRounds(targets, scenario, ctx, log) {
  const rounds = ctx.pick(scenario.rounds);
  const byTarget = {};
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) {
      if (target.portkey && ctx.portkey && ctx.portkey.error) continue;
      let r;
      try {
        r = await measure(target, scenario, ctx);
      } catch (err) {
        r = { error: err.message.split('\n')[0] };
      }
      (byTarget[target.id] ||= [])[round] = r;
      log(`round ${round + 1}/${rounds} ${target.id.padEnd(12)} ${r.error ? `ERROR ${r.error}` : `${Math.round(r.rps)} req/s cpu ${Math.round(r.cpuUsPerRequest)} µs/req p50 ${r.p50.toFixed(2)} ms err ${r.errors}`}`);
    }
  }
  const summary = {};
  for (const [id, runs] of Object.entries(byTarget)) {
    const ratio = {};
    for (const [other, otherRuns] of Object.entries(byTarget)) {
      // Ratio within each round, then the median: both sides of a ratio were measured close together.
      ratio[other] = median(runs.map((r, i) => (r && otherRuns[i] && !r.error && !otherRuns[i].error ? r.rps / otherRuns[i].rps : NaN)));
    }
    summary[id] = { rps: median(runs.map((r) => r && r.rps)), cpuUsPerRequest: median(runs.map((r) => r && r.cpuUsPerRequest)), ratio };
  }
  return { id: scenario.id, label: scenario.label, rounds, n: ctx.pick(scenario.n), concurrency: scenario.concurrency, byTarget, summary };
}

module.exports = { runRounds };
