// Benchmark orchestrator (`npm run bench`): starts upstream, driver and each target in turn, runs the scenarios, writes the report.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const { setTimeout: sleep } = require('node:timers/promises');
const { start, cpuTicks, foreignCores, waitForQuiet } = require('./processes');
const { startTarget, warmTarget } = require('./endpoints');
const { RUNNERS } = require('./runners');
const { runRounds } = require('./rounds');
const { TARGETS, SCENARIOS } = require('./scenarios');
const { installPortkey, PORTKEY_VERSION } = require('./portkey-install');
const { renderReport } = require('./report');

const USAGE = `usage: node bench/run.js [--quick] [--only=GROUP|SCENARIO,...] [--targets=ID,...] [--no-portkey]
  groups: blocking, stream, body, passthrough, messages, bedrock, responses, memory; targets: ${TARGETS.map((t) => t.id).join(', ')}`;

function parseArgs(argv) {
  const opts = { quick: false, only: undefined, targets: undefined, portkey: true };
  for (const arg of argv) {
    const [name, value] = arg.split('=');
    if (name === '--quick') opts.quick = true;
    else if (name === '--only') opts.only = new Set(value.split(','));
    else if (name === '--targets') opts.targets = new Set(value.split(','));
    else if (name === '--no-portkey') opts.portkey = false;
    else if (name === '--help' || name === '-h') { console.log(USAGE); process.exit(0); }
    else { console.error(`unknown argument ${arg}\n${USAGE}`); process.exit(2); }
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const pick = (pair) => (Array.isArray(pair) ? pair[opts.quick ? 1 : 0] : pair);
const began = Date.now();
const log = (msg) => {
  const s = Math.round((Date.now() - began) / 1000);
  process.stderr.write(`[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${msg}\n`);
};
const mb = (bytes) => (bytes / 1048576).toFixed(1);

function summary(scenario, r) {
  if (r.error) return `ERROR ${r.error}`;
  const other = r.otherCpu >= 0.1 ? ` [other processes used ${r.otherCpu.toFixed(2)} cores]` : '';
  if (scenario.kind === 'idle') return `${r.opened}/${r.n} open, ${(r.bytesPerStream / 1024).toFixed(1)} KB/stream RSS, ${(r.heapPerStream / 1024).toFixed(1)} KB/stream heap${other}`;
  if (scenario.kind === 'aborted') return `${r.n} aborted, RSS slope ${r.rssSlopeMbPerK.toFixed(2)} MB/1k, heap slope ${r.heapSlopeMbPerK.toFixed(3)} MB/1k, errors ${r.errors}, upstream cut ${r.upstreamClosedEarly} / ran out ${r.upstreamCompleted}${other}`;
  const cpu = r.cpuUsPerRequest ? ` cpu ${Math.round(r.cpuUsPerRequest)} µs/req` : '';
  const base = `${Math.round(r.rps)} req/s${cpu} p50 ${r.latency ? r.latency.p50.toFixed(2) : '-'} ms p99 ${r.latency ? r.latency.p99.toFixed(2) : '-'} ms err ${r.errors}`;
  if (scenario.kind === 'rss') return `${base}, RSS ${mb(r.rssBefore)} → ${mb(r.rssAfter)} MB (peak ${mb(r.peakRss)})${other}`;
  return (scenario.stream ? `${base} ttfb p50 ${r.ttfb ? r.ttfb.p50.toFixed(2) : '-'} ms` : base) + other;
}

async function main() {
  const targets = TARGETS.filter((t) => (!opts.targets || opts.targets.has(t.id)) && (opts.portkey || !t.portkey));
  const scenarios = SCENARIOS.filter((s) => !opts.only || opts.only.has(s.group) || opts.only.has(s.id));
  const results = {
    meta: {
      startedAt: new Date().toISOString(), quick: opts.quick, node: process.version, cpus: os.cpus().length,
      cpuModel: os.cpus()[0] && os.cpus()[0].model, totalMemMb: Math.round(os.totalmem() / 1048576), portkeyVersion: PORTKEY_VERSION, notes: [],
    },
    targets: targets.map(({ id, label, short }) => ({ id, label, short })),
    scenarios: scenarios.map((s) => ({ id: s.id, group: s.group, label: s.label, kind: s.kind, stream: !!s.stream, concurrency: s.concurrency, n: pick(s.n), vs: s.vs })),
    runs: {},
  };
  const ctx = { quick: opts.quick, pick, quietMs: opts.quick ? 0 : 10_000 };
  if (targets.some((t) => t.portkey)) {
    log(`installing @portkey-ai/gateway ${PORTKEY_VERSION} into a temporary folder…`);
    ctx.portkey = await installPortkey();
    if (ctx.portkey.error) {
      log(`Portkey could not be installed (${ctx.portkey.error}); going on without it`);
      results.meta.notes.push(`Portkey could not be installed: ${ctx.portkey.error}`);
    } else {
      log(`Portkey ${ctx.portkey.cached ? 'already installed' : 'installed'} in ${ctx.portkey.dir}`);
    }
  }
  const upstream = await start(path.join(__dirname, 'fake-upstream.js'), { name: 'upstream', env: { NODE_ENV: 'production' } });
  ctx.upstreamOrigin = `http://127.0.0.1:${upstream.port}`;
  ctx.upstream = upstream;
  ctx.bedrockOrigin = (await upstream.ask('bedrock')).url;
  ctx.driver = await start(path.join(__dirname, 'driver.js'), { name: 'driver' });
  log(`fake upstream on ${ctx.upstreamOrigin} (pid ${upstream.pid}), driver pid ${ctx.driver.pid}`);

  try {
    for (const target of targets) {
      if (target.portkey && ctx.portkey.error) continue; // already reported in the notes
      const own = scenarios.filter((s) => s.kind !== 'rounds' && s.targets.includes(target.id));
      if (own.length === 0) continue;
      let endpoint;
      const launch = async () => {
        if (endpoint && endpoint.proc) await endpoint.proc.stop();
        endpoint = await startTarget(target, ctx);
        await warmTarget(endpoint, ctx);
      };
      try {
        await launch();
      } catch (err) {
        log(`${target.id}: could not start: ${err.message}`);
        results.meta.notes.push(`${target.label} could not be started: ${err.message.split('\n')[0]}`);
        continue;
      }
      if (target.env && target.env.BENCH_POOL === 'cooling') {
        results.meta.poolState = await endpoint.proc.ask('keyStatus');
        log(`${target.id}: key pool after warm-up: ${JSON.stringify(results.meta.poolState[0].keys.map((k) => k.state))}`);
      }
      let usedSinceLaunch = false;
      for (const scenario of own) {
        if (scenario.fresh && usedSinceLaunch) await launch();
        usedSinceLaunch = true;
        const pids = [process.pid, upstream.pid, ctx.driver.pid, ...(endpoint.proc ? [endpoint.proc.pid] : [])];
        const waitedMs = await waitForQuiet(pids, ctx.quietMs);
        const cpuBefore = cpuTicks(pids);
        let r;
        try {
          r = await RUNNERS[scenario.kind](scenario, endpoint, ctx);
        } catch (err) {
          r = { error: err.message.split('\n')[0] };
        }
        r.otherCpu = foreignCores(cpuBefore, cpuTicks(pids));
        r.waitedForQuietMs = waitedMs;
        (results.runs[scenario.id] ||= {})[target.id] = r;
        log(`${target.id.padEnd(11)} ${scenario.id.padEnd(15)} ${summary(scenario, r)}`);
        await sleep(150);
      }
      if (target.env && target.env.BENCH_RECORDER === 'memory') results.meta.recorded = await endpoint.proc.ask('records');
      if (endpoint.proc) await endpoint.proc.stop();
    }
    for (const scenario of scenarios.filter((s) => s.kind === 'rounds')) {
      (results.roundSets ||= {})[scenario.id] = await runRounds(targets.filter((t) => scenario.targets.includes(t.id)), scenario, ctx, log);
    }
    // The blocking set is the one the throughput goals rest on.
    results.rounds = results.roundSets && results.roundSets['block-c20-rounds'];
  } finally {
    await ctx.driver.stop();
    await upstream.stop();
  }

  results.meta.wallSeconds = (Date.now() - began) / 1000;
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  // Only a full, unfiltered run may replace the committed latest.md.
  const name = opts.quick ? 'quick' : opts.only || opts.targets || !opts.portkey ? 'partial' : 'latest';
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(results, null, 2));
  fs.writeFileSync(path.join(dir, `${name}.md`), renderReport(results));
  log(`wrote bench/results/${name}.md and ${name}.json in ${results.meta.wallSeconds.toFixed(0)} s`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
