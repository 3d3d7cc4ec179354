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
    // A store on a database server: the server processes serving its connections are measured apart (and, on this
    // machine, they compete with the target for the same cores). Redis is one process shared by every client of it.
    const env = target.env || {};
    const serverQuery = env.BENCH_RECORDER === 'postgres' ? 'dbBackends'
      : /^redis/.test(env.BENCH_LIMITS || '') || env.BENCH_KEYSTATE === 'redis' ? 'redisServer' : undefined;
    const db = serverQuery !== undefined;
    const db0 = db ? await endpoint.proc.ask(serverQuery) : [];
    await waitForQuiet([...pids, ...db0], ctx.quietMs);
    const ticks = cpuTicks(pids);
    const dbTicks = cpuTicks(db0);
    const c0 = await endpoint.proc.ask('cpu');
    const n = ctx.pick(scenario.n);
    const r = await ctx.driver.ask('run', { ...req, n }, 300_000);
    // The last records are written within a flush interval (200 ms) after the last response.
    if (serverQuery === 'dbBackends') await new Promise((resolve) => setTimeout(resolve, 400));
    const c1 = await endpoint.proc.ask('cpu');
    const out = {
      rps: r.rps, p50: r.latency && r.latency.p50, p99: r.latency && r.latency.p99, errors: r.errors,
      cpuUsPerRequest: (c1.user + c1.system - c0.user - c0.system) / n, otherCpu: foreignCores(ticks, cpuTicks(pids)),
    };
    if (db) {
      const db1 = await endpoint.proc.ask(serverQuery);
      // Ticks are 1/100 s; a backend that exited meanwhile takes its ticks with it (rare: the pool keeps its connections).
      out.dbCpuUsPerRequest = Math.max(0, cpuTicks([...new Set([...db0, ...db1])]).ours - dbTicks.ours) * 10_000 / n;
    }
    return out;
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
      const dbCpu = r.dbCpuUsPerRequest === undefined ? '' : ` (database server ${Math.round(r.dbCpuUsPerRequest)} µs/req)`;
      log(`round ${round + 1}/${rounds} ${target.id.padEnd(12)} ${r.error ? `ERROR ${r.error}` : `${Math.round(r.rps)} req/s cpu ${Math.round(r.cpuUsPerRequest)} µs/req${dbCpu} p50 ${r.p50.toFixed(2)} ms err ${r.errors}`}`);
    }
  }
  const summary = {};
  for (const [id, runs] of Object.entries(byTarget)) {
    const ratio = {};
    for (const [other, otherRuns] of Object.entries(byTarget)) {
      // Ratio within each round, then the median: both sides of a ratio were measured close together.
      ratio[other] = median(runs.map((r, i) => (r && otherRuns[i] && !r.error && !otherRuns[i].error ? r.rps / otherRuns[i].rps : NaN)));
    }
    summary[id] = { rps: median(runs.map((r) => r && r.rps)), cpuUsPerRequest: median(runs.map((r) => r && r.cpuUsPerRequest)), dbCpuUsPerRequest: median(runs.map((r) => r && r.dbCpuUsPerRequest)), ratio };
  }
  return { id: scenario.id, label: scenario.label, rounds, n: ctx.pick(scenario.n), concurrency: scenario.concurrency, byTarget, summary };
}

module.exports = { runRounds };
