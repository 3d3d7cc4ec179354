// Two targets under the same load at the same time, round after round: the CPU each spends per request, and their ratio.
// Both see the same noise of the shared machine in the same seconds, so the ratio holds where sequential rounds swing.
//   node bench/paired.js A B [--scenario=block-c20-rounds] [--rounds=5] [--n=8000]   (BENCH_BASE_DIST for the *-base targets)
'use strict';
const path = require('node:path');
const { start, cpuTicks } = require('./processes');
const { SCENARIOS, TARGETS } = require('./scenarios');
const { startTarget, warmTarget, requestOf } = require('./endpoints');

const arg = (name, fallback) => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
};
const [a, b] = process.argv.slice(2).filter((x) => !x.startsWith('--'));
const scenario = SCENARIOS.find((s) => s.id === arg('scenario', 'block-c20-rounds'));
const rounds = Number(arg('rounds', 5));
const n = Number(arg('n', scenario && scenario.stream ? 3000 : 8000));

function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Whether a target counts on the local Redis (its server's CPU is then measured apart). */
function usesRedis(target) {
  const env = target.env || {};
  return /^redis/.test(env.BENCH_LIMITS || '') || env.BENCH_KEYSTATE === 'redis';
}

async function cpuOf(endpoint) {
  const c = await endpoint.proc.ask('cpu');
  return c.user + c.system;
}

async function main() {
  const targets = [a, b].map((id) => TARGETS.find((t) => t.id === id && t.module));
  if (!scenario || targets.some((t) => !t)) throw new Error('usage: node bench/paired.js TARGET_A TARGET_B [--scenario=ID] [--rounds=N] [--n=N]');
  const upstream = await start(path.join(__dirname, 'fake-upstream.js'), { name: 'upstream', env: { NODE_ENV: 'production' } });
  // One driver per target: neither waits for the other's responses.
  const drivers = [await start(path.join(__dirname, 'driver.js'), { name: 'driver-a' }), await start(path.join(__dirname, 'driver.js'), { name: 'driver-b' })];
  const ctx = { upstreamOrigin: `http://127.0.0.1:${upstream.port}`, quick: false };
  const cpu = [[], []];
  const ratios = [];
  /** The Redis server's CPU µs per request of the targets on Redis (both when both are; upper bound: it serves other clients too). */
  const redisCpu = [];
  const onRedis = targets.filter(usesRedis).length;
  try {
    for (let round = 0; round < rounds; round++) {
      const endpoints = [];
      for (const t of targets) endpoints.push(await startTarget(t, ctx));
      try {
        for (let i = 0; i < 2; i++) await warmTarget(endpoints[i], { ...ctx, driver: drivers[i] });
        const reqs = endpoints.map((e) => ({ ...requestOf(e, scenario), concurrency: scenario.concurrency }));
        await Promise.all(reqs.map((r, i) => drivers[i].ask('run', { ...r, n: 1000 }, 300_000)));
        const redisPids = onRedis > 0 ? await endpoints[targets.findIndex(usesRedis)].proc.ask('redisServer') : [];
        const r0 = cpuTicks(redisPids);
        const c0 = await Promise.all(endpoints.map(cpuOf));
        const runs = await Promise.all(reqs.map((r, i) => drivers[i].ask('run', { ...r, n }, 300_000)));
        const c1 = await Promise.all(endpoints.map(cpuOf));
        const us = c1.map((c, i) => (c - c0[i]) / n);
        us.forEach((u, i) => cpu[i].push(u));
        ratios.push(us[0] / us[1]);
        // Ticks are 1/100 s.
        const redisUs = onRedis > 0 ? (cpuTicks(redisPids).ours - r0.ours) * 10_000 / (n * onRedis) : undefined;
        if (redisUs !== undefined) redisCpu.push(redisUs);
        const redisNote = redisUs === undefined ? '' : `; Redis server ${Math.round(redisUs)} µs/req of ${onRedis === 2 ? 'each' : targets.find(usesRedis).id}`;
        console.log(`round ${round + 1}/${rounds}: ${a} ${Math.round(us[0])} µs/req (${Math.round(runs[0].rps)} req/s, ${runs[0].errors} errors), ${b} ${Math.round(us[1])} µs/req (${Math.round(runs[1].rps)} req/s, ${runs[1].errors} errors), CPU ratio ${(us[0] / us[1]).toFixed(3)}${redisNote}`);
      } finally {
        for (const e of endpoints) await e.proc.stop();
      }
    }
    console.log(`median of ${rounds} rounds (${scenario.id}, ${n} requests each): ${a} ${Math.round(median(cpu[0]))} µs/req, ${b} ${Math.round(median(cpu[1]))} µs/req, CPU ratio ${median(ratios).toFixed(3)} (rounds ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})${redisCpu.length ? `; Redis server ${Math.round(median(redisCpu))} µs/req (median)` : ''}`);
  } finally {
    for (const d of drivers) await d.stop();
    await upstream.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
