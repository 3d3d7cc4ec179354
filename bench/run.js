// Benchmark orchestrator (`npm run bench`): starts upstream, driver and each target in turn, runs the scenarios, writes the report.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const { setTimeout: sleep } = require('node:timers/promises');
const { start, procMem, resetPeak } = require('./processes');
const { TARGETS, SCENARIOS } = require('./scenarios');
const { installPortkey, PORTKEY_VERSION } = require('./portkey-install');
const { renderReport } = require('./report');

const USAGE = `usage: node bench/run.js [--quick] [--only=GROUP|SCENARIO,...] [--targets=ID,...] [--no-portkey]
  groups: blocking, stream, body, passthrough, memory; targets: ${TARGETS.map((t) => t.id).join(', ')}`;

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

async function startTarget(target, ctx) {
  if (target.id === 'direct') return { origin: ctx.upstreamOrigin, prefix: '', headers: {} };
  const env = { NODE_ENV: 'production', UPSTREAM_ORIGIN: ctx.upstreamOrigin, ...target.env };
  let proc;
  if (target.portkey) {
    if (ctx.portkey.error) throw new Error(ctx.portkey.error);
    proc = await start(ctx.portkey.entry, {
      name: 'portkey', cwd: ctx.portkey.dir, env, args: ['--port=0', '--headless'],
      execArgv: ['--require', path.join(__dirname, 'targets', 'portkey-preload.js')],
    });
  } else {
    proc = await start(path.join(__dirname, target.module), { name: target.id, env });
  }
  const headers = target.portkey ? { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${ctx.upstreamOrigin}/v1` } : {};
  return { proc, origin: `http://127.0.0.1:${proc.port}`, prefix: target.prefix || '', headers };
}

function requestOf(endpoint, scenario) {
  const method = scenario.method || 'POST';
  const headers = { authorization: 'Bearer sk-a', ...endpoint.headers };
  if (method === 'POST') headers['content-type'] = 'application/json';
  return {
    origin: endpoint.origin, path: endpoint.prefix + (scenario.apiPath || '/v1/chat/completions'), method, headers,
    body: method === 'POST' ? scenario.body : undefined, expectTail: scenario.stream ? '[DONE]' : undefined,
  };
}

/** Unmeasured traffic right after a target starts: JIT, connection pools, and the pool key's cooldown. */
async function warmTarget(endpoint, ctx) {
  const block = SCENARIOS.find((s) => s.id === 'block-c1');
  const stream = SCENARIOS.find((s) => s.id === 'stream-c1');
  await ctx.driver.ask('run', { ...requestOf(endpoint, block), n: opts.quick ? 200 : 1000, concurrency: 10 }, 120_000);
  await ctx.driver.ask('run', { ...requestOf(endpoint, stream), n: opts.quick ? 20 : 100, concurrency: 5 }, 120_000);
}

async function memOf(endpoint, gc) {
  const heap = await endpoint.proc.ask('mem', { gc });
  return { ...procMem(endpoint.proc.pid), heapUsed: heap.heapUsed, external: heap.external };
}

const RUNNERS = {
  async run(scenario, endpoint, ctx) {
    if (endpoint.proc) resetPeak(endpoint.proc.pid);
    const r = await ctx.driver.ask('run', {
      ...requestOf(endpoint, scenario), n: pick(scenario.n), warmup: pick(scenario.warmup), concurrency: scenario.concurrency, gaps: scenario.gaps,
    }, 300_000);
    if (endpoint.proc) Object.assign(r, { peakRss: procMem(endpoint.proc.pid).peak });
    return r;
  },

  async idle(scenario, endpoint, ctx) {
    const before = await memOf(endpoint, true);
    resetPeak(endpoint.proc.pid);
    const held = await ctx.driver.ask('hold', { ...requestOf(endpoint, scenario), n: pick(scenario.n) }, 120_000);
    await sleep(300);
    const during = await memOf(endpoint, true);
    await ctx.driver.ask('release', {}, 60_000);
    const opened = held.opened || 0;
    return {
      ...held, rssBefore: before.rss, rssDuring: during.rss, heapBefore: before.heapUsed, heapDuring: during.heapUsed,
      peakRss: procMem(endpoint.proc.pid).peak,
      bytesPerStream: opened ? (during.rss - before.rss) / opened : NaN,
      heapPerStream: opened ? (during.heapUsed - before.heapUsed) / opened : NaN,
    };
  },

  async aborted(scenario, endpoint, ctx) {
    const req = { ...requestOf(endpoint, scenario), abortAfterFirstByte: true, concurrency: scenario.concurrency };
    await ctx.driver.ask('run', { ...req, n: pick(scenario.warmup) }, 300_000);
    resetPeak(endpoint.proc.pid);
    const samples = [];
    let errors = 0;
    const batch = pick(scenario.batch);
    for (let i = 1; i <= pick(scenario.batches); i++) {
      const r = await ctx.driver.ask('run', { ...req, n: batch }, 300_000);
      errors += r.errors;
      await sleep(200); // let the gateway notice the last aborts
      const m = await memOf(endpoint, true);
      samples.push({ streams: i * batch, rss: m.rss, heapUsed: m.heapUsed });
    }
    const perK = (key) => slope(samples.map((s) => ({ x: s.streams / 1000, y: s[key] / 1048576 })));
    return { samples, errors, n: samples.length * batch, rssSlopeMbPerK: perK('rss'), heapSlopeMbPerK: perK('heapUsed'), peakRss: procMem(endpoint.proc.pid).peak };
  },

  async rss(scenario, endpoint, ctx) {
    const req = { ...requestOf(endpoint, scenario), concurrency: scenario.concurrency };
    await ctx.driver.ask('run', { ...req, n: pick(scenario.warmup) }, 300_000);
    await sleep(200);
    const before = procMem(endpoint.proc.pid);
    resetPeak(endpoint.proc.pid);
    const r = await ctx.driver.ask('run', { ...req, n: pick(scenario.n) }, 600_000);
    await sleep(200);
    const after = procMem(endpoint.proc.pid);
    const afterGc = await memOf(endpoint, true);
    return { ...r, rssBefore: before.rss, rssAfter: after.rss, rssAfterGc: afterGc.rss, heapAfterGc: afterGc.heapUsed, peakRss: after.peak };
  },
};

function summary(scenario, r) {
  if (r.error) return `ERROR ${r.error}`;
  if (scenario.kind === 'idle') return `${r.opened}/${r.n} open, ${(r.bytesPerStream / 1024).toFixed(1)} KB/stream RSS, ${(r.heapPerStream / 1024).toFixed(1)} KB/stream heap`;
  if (scenario.kind === 'aborted') return `${r.n} aborted, RSS slope ${r.rssSlopeMbPerK.toFixed(2)} MB/1k, heap slope ${r.heapSlopeMbPerK.toFixed(3)} MB/1k, errors ${r.errors}`;
  const base = `${Math.round(r.rps)} req/s p50 ${r.latency ? r.latency.p50.toFixed(2) : '-'} ms p99 ${r.latency ? r.latency.p99.toFixed(2) : '-'} ms err ${r.errors}`;
  if (scenario.kind === 'rss') return `${base}, RSS ${mb(r.rssBefore)} → ${mb(r.rssAfter)} MB (peak ${mb(r.peakRss)})`;
  return scenario.stream ? `${base} ttfb p50 ${r.ttfb ? r.ttfb.p50.toFixed(2) : '-'} ms` : base;
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
    scenarios: scenarios.map((s) => ({ id: s.id, group: s.group, label: s.label, kind: s.kind, stream: !!s.stream, concurrency: s.concurrency, n: pick(s.n) })),
    runs: {},
  };
  const ctx = {};
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
  ctx.driver = await start(path.join(__dirname, 'driver.js'), { name: 'driver' });
  log(`fake upstream on ${ctx.upstreamOrigin} (pid ${upstream.pid}), driver pid ${ctx.driver.pid}`);

  try {
    for (const target of targets) {
      const own = scenarios.filter((s) => s.targets.includes(target.id));
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
        let r;
        try {
          r = await RUNNERS[scenario.kind](scenario, endpoint, ctx);
        } catch (err) {
          r = { error: err.message.split('\n')[0] };
        }
        (results.runs[scenario.id] ||= {})[target.id] = r;
        log(`${target.id.padEnd(11)} ${scenario.id.padEnd(15)} ${summary(scenario, r)}`);
        await sleep(150);
      }
      if (target.env && target.env.BENCH_RECORDER === 'memory') results.meta.recorded = await endpoint.proc.ask('records');
      if (endpoint.proc) await endpoint.proc.stop();
    }
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
