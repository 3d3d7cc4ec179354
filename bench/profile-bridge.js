// Runs the bridge (or, for comparison, --target=raw or --target=express-gateway) under CPU profiling with the c=20 blocking load; prints the .cpuprofile path.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { start } = require('./processes');
const { SCENARIOS, TARGETS } = require('./scenarios');
const { requestOf } = require('./endpoints');

const arg = (name, fallback) => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
};
const outDir = path.resolve(arg('out', path.join(os.tmpdir(), 'aibridge-bench-prof')));
const n = Number(arg('n', 40000));
const concurrency = Number(arg('c', 20));
const recorder = arg('recorder', 'off');
const target = arg('target', 'bridge');
const execArgv = ['--cpu-prof', `--cpu-prof-dir=${outDir}`, '--cpu-prof-interval=200', ...(process.argv.includes('--trace-gc') ? ['--trace-gc'] : [])];
const scenario = SCENARIOS.find((s) => s.id === arg('scenario', 'block-c20'));

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const upstream = await start(path.join(__dirname, 'fake-upstream.js'), { name: 'upstream', env: { NODE_ENV: 'production' } });
  const driver = await start(path.join(__dirname, 'driver.js'), { name: 'driver' });
  const bedrock = await upstream.ask('bedrock');
  const env = { NODE_ENV: 'production', UPSTREAM_ORIGIN: `http://127.0.0.1:${upstream.port}`, BEDROCK_ORIGIN: bedrock.url, BENCH_RECORDER: recorder, BENCH_POOL: 'single' };
  const mount = target === 'raw' ? { module: 'targets/raw-proxy.js', prefix: '', prefixes: {} } : TARGETS.find((t) => t.id === target);
  if (!mount || !mount.module) throw new Error(`--target must be raw or a target with a process (bridge, express-gateway, …), not ${target}`);
  const bridge = await start(path.join(__dirname, mount.module), { name: target, env: { ...mount.env, ...env }, execArgv, stdout: 'inherit' });
  const request = requestOf({ origin: `http://127.0.0.1:${bridge.port}`, prefix: mount.prefix, prefixes: mount.prefixes, headers: {} }, scenario);
  const before = new Set(fs.readdirSync(outDir));
  const r = await driver.ask('run', { ...request, n, warmup: 2000, concurrency }, 600_000);
  console.error(`${scenario.id} on ${target} (recorder ${recorder}): ${Math.round(r.rps)} req/s, p50 ${r.latency.p50.toFixed(2)} ms, errors ${r.errors}`);
  await bridge.stop();
  await driver.stop();
  await upstream.stop();
  const written = fs.readdirSync(outDir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
  for (const f of written) console.log(path.join(outDir, f));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
