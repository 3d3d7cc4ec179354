// What recording costs per interception, recorder by recorder, without HTTP around it: the records of a blocking chat
// request (start, prompt, token usage, end) go through the bridge's SafeRecorder into each store at a fixed pace, and
// the run reports the CPU of the process's main thread, of the whole process (SQLite writes on a worker thread), and
// of the PostgreSQL server processes serving the store's connections.
//   node bench/recorder-cost.js [--recorders=memory,sqlite,postgres] [--n=20000] [--rate=2000] [--repeat=3] [--dist=DIR] [--ids=ordered|random]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomUUID } = require('node:crypto');

const arg = (name, fallback) => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
};
const dist = path.resolve(arg('dist', path.join(__dirname, '..', 'dist')));
const { MemoryRecorder, SqliteRecorder, PostgresRecorder } = require(dist);
const { SafeRecorder } = require(path.join(dist, 'recorder', 'safe-recorder'));
const n = Number(arg('n', 20000));
const rate = Number(arg('rate', 2000));
const repeat = Number(arg('repeat', 3));
const names = arg('recorders', 'memory,sqlite,postgres').split(',');
const RANDOM_IDS = arg('ids', 'ordered') === 'random';
const PG_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
const PG_APP = `aibridge-cost-${process.pid}`;

const SILENT = { warn() {}, error() {}, info() {}, debug() {} };

/** CPU ticks (1/100 s) of one thread or process from /proc. */
function ticks(statPath) {
  try {
    const stat = fs.readFileSync(statPath, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

async function backends() {
  const { Pool } = require('pg');
  const pool = new Pool({ connectionString: PG_URL, max: 1 });
  try {
    return (await pool.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [PG_APP])).rows.map((r) => r.pid);
  } finally {
    await pool.end();
  }
}

function make(name, run) {
  if (name === 'memory') return { recorder: new MemoryRecorder(), done: async () => undefined };
  if (name === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aibridge-cost-'));
    const recorder = new SqliteRecorder({ filename: path.join(dir, 'usage.db') });
    return { recorder, done: async () => { await recorder.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
  }
  const schema = `aibridge_cost_${process.pid}_${run}`;
  const recorder = new PostgresRecorder({ connectionString: `${PG_URL}?application_name=${PG_APP}`, schema });
  return {
    recorder,
    done: async () => {
      await recorder.close();
      const { Pool } = require('pg');
      const pool = new Pool({ connectionString: PG_URL, max: 1 });
      await pool.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
      await pool.end();
    },
  };
}

/** The records of one blocking chat request, as the bridge makes them. */
function oneRequest(safe, i) {
  // `--ids=random`: version 4 UUIDs, as the bridge made them before its ids were time-ordered (they scatter index writes).
  const id = RANDOM_IDS ? randomUUID() : `019b${i.toString(16).padStart(8, '0')}-7c1e-7000-8000-${i.toString(16).padStart(12, '0')}`;
  const rec = safe.open();
  rec.start({
    id, initiatorId: 'bench-user', provider: 'openai', providerName: 'openai', route: '/v1/chat/completions', model: 'gpt-4o-mini',
    streaming: false, startedAt: new Date(), userAgent: 'undici', client: 'unknown', credentialKind: 'pool',
  });
  rec.promptUsage({ interceptionId: id, msgId: '', prompt: 'Say hello.', createdAt: new Date() });
  rec.tokenUsage({ interceptionId: id, msgId: 'chatcmpl-bench', input: 19, output: 9, cacheRead: 0, cacheWrite: 0, extra: { reasoning_tokens: 0 }, createdAt: new Date() });
  rec.end({ id, endedAt: new Date(), status: 'completed', httpStatus: 200, credentialHint: 'sk-…abcd', attempts: [{ credentialHint: 'sk-…abcd', httpStatus: 200, durationMs: 3 }] });
}

async function measure(name, run) {
  const { recorder, done } = make(name, run);
  const safe = new SafeRecorder(recorder, SILENT);
  if (recorder.ready) await recorder.ready();
  // Warm-up: JIT, statements prepared, the write thread started.
  for (let i = 0; i < 2000; i++) oneRequest(safe, 1e9 + i);
  await new Promise((r) => setTimeout(r, 50));
  await recorder.flush?.();
  const db = name === 'postgres' ? await backends() : [];
  const main0 = ticks(`/proc/self/task/${process.pid}/stat`);
  const cpu0 = process.cpuUsage();
  const db0 = db.reduce((s, pid) => s + ticks(`/proc/${pid}/stat`), 0);
  const perTick = Math.max(1, Math.round(rate / 100));
  const t0 = Date.now();
  for (let i = 0; i < n; i += perTick) {
    for (let j = i; j < Math.min(n, i + perTick); j++) oneRequest(safe, j);
    const due = t0 + ((i + perTick) / rate) * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
  }
  await new Promise((r) => setImmediate(r));
  await recorder.flush?.();
  const cpu = process.cpuUsage(cpu0);
  const main = (ticks(`/proc/self/task/${process.pid}/stat`) - main0) * 10_000 / n;
  const dbUs = (db.reduce((s, pid) => s + ticks(`/proc/${pid}/stat`), 0) - db0) * 10_000 / n;
  await safe.close();
  await done();
  return { main, process: (cpu.user + cpu.system) / n, db: name === 'postgres' ? dbUs : undefined };
}

async function main() {
  const rows = {};
  for (let r = 0; r < repeat; r++) {
    for (const name of names) {
      const m = await measure(name, r);
      (rows[name] ||= []).push(m);
      console.error(`${name.padEnd(8)} main thread ${m.main.toFixed(1)} µs/req, process ${m.process.toFixed(1)} µs/req${m.db === undefined ? '' : `, database server ${m.db.toFixed(1)} µs/req`}`);
    }
  }
  const med = (xs) => { const s = xs.filter(Number.isFinite).sort((a, b) => a - b); return s.length ? s[s.length >> 1] : NaN; };
  console.log(`| recorder | main thread µs/req | process µs/req | database server µs/req |\n|---|---|---|---|`);
  for (const [name, ms] of Object.entries(rows)) {
    console.log(`| ${name} | ${med(ms.map((m) => m.main)).toFixed(1)} | ${med(ms.map((m) => m.process)).toFixed(1)} | ${name === 'postgres' ? med(ms.map((m) => m.db)).toFixed(1) : ''} |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
