// Renders benchmark results (from run.js) as the markdown report: goal checks, then one table per scenario.
'use strict';

const f = (v, digits = 2) => (v === undefined || v === null || Number.isNaN(v) ? '—' : Number(v).toFixed(digits));
const int = (v) => (v === undefined || v === null || Number.isNaN(v) ? '—' : Math.round(v).toLocaleString('en-US'));
const mb = (bytes) => f(bytes / 1048576, 1);
const kb = (bytes) => f(bytes / 1024, 1);
const ratio = (a, b) => (a && b ? `${f(a / b)}×` : '—');
const table = (head, rows) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const mark = (ok) => (ok === undefined ? '—' : ok ? '✅ met' : '❌ missed');

function runRows(results, scenario) {
  const runs = results.runs[scenario.id] || {};
  const base = (id) => (runs[id] && !runs[id].error ? runs[id] : undefined);
  const direct = base('direct');
  const raw = base('raw');
  const portkey = base('portkey');
  const head = ['target', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'Δp50 vs direct'];
  if (scenario.stream) head.push('TTFB p50 ms', 'TTFB p99 ms', 'Δ TTFB p50');
  if (scenario.id === 'stream-paced') head.push('reads/stream', 'gap p50 ms', 'gap p99 ms', 'gap max ms');
  head.push('errors', 'peak RSS MB', 'req/s ÷ direct', '÷ raw proxy', '÷ Portkey');
  const rows = [];
  for (const t of results.targets) {
    const r = runs[t.id];
    if (!r) continue;
    if (r.error) { rows.push([t.label, `error: ${r.error}`, ...head.slice(2).map(() => '')]); continue; }
    const l = r.latency || {};
    const row = [t.label, int(r.rps), f(l.p50), f(l.p90), f(l.p99), direct && t.id !== 'direct' ? `+${f(l.p50 - direct.latency.p50)}` : ''];
    if (scenario.stream) row.push(f(r.ttfb && r.ttfb.p50), f(r.ttfb && r.ttfb.p99), direct && t.id !== 'direct' && r.ttfb ? `+${f(r.ttfb.p50 - direct.ttfb.p50)}` : '');
    if (scenario.id === 'stream-paced') row.push(f(r.readsPerResponse && r.readsPerResponse.p50, 0), f(r.gaps && r.gaps.p50), f(r.gaps && r.gaps.p99), f(r.gaps && r.gaps.max));
    row.push(r.errors ? `${r.errors} (${(r.errorSamples || []).join('; ')})` : '0', r.peakRss ? mb(r.peakRss) : '—',
      t.id === 'direct' ? '' : ratio(r.rps, direct && direct.rps), t.id === 'raw' ? '' : ratio(r.rps, raw && raw.rps), t.id === 'portkey' ? '' : ratio(r.rps, portkey && portkey.rps));
    rows.push(row.map((c) => String(c).replace('+-', '−')));
  }
  return table(head, rows);
}

function memoryRows(results, scenario) {
  const runs = results.runs[scenario.id] || {};
  const rows = [];
  for (const t of results.targets) {
    const r = runs[t.id];
    if (!r) continue;
    if (r.error) { rows.push([t.label, `error: ${r.error}`]); continue; }
    if (scenario.kind === 'idle') {
      rows.push([t.label, `${int(r.opened)} / ${int(r.n)}`, mb(r.rssBefore), mb(r.rssDuring), kb(r.bytesPerStream), kb(r.heapPerStream), mb(r.peakRss), int(r.errors)]);
    } else if (scenario.kind === 'aborted') {
      const s = r.samples;
      rows.push([t.label, int(r.n), s.map((x) => mb(x.rss)).join(' → '), f(r.rssSlopeMbPerK, 2), f(r.heapSlopeMbPerK, 3), mb(r.peakRss), int(r.errors)]);
    } else {
      rows.push([t.label, int(r.n), int(r.rps), mb(r.rssBefore), mb(r.rssAfter), mb(r.rssAfterGc), mb(r.peakRss), int(r.errors)]);
    }
  }
  const heads = {
    idle: ['target', 'streams open', 'RSS before MB', 'RSS while open MB', 'RSS KB / stream', 'heap KB / stream', 'peak RSS MB', 'errors'],
    aborted: ['target', 'streams aborted', 'RSS after each batch (MB, after GC)', 'RSS slope MB / 1k', 'heap slope MB / 1k', 'peak RSS MB', 'errors'],
    rss: ['target', 'requests', 'req/s', 'RSS before MB', 'RSS after MB', 'RSS after GC MB', 'peak RSS MB', 'errors'],
  };
  return table(heads[scenario.kind], rows);
}

/** Each goal of the issue, measured from the main bridge target (recorder off, one key). */
function goals(results) {
  const run = (s, t) => { const r = results.runs[s] && results.runs[s][t]; return r && !r.error ? r : undefined; };
  const out = [];
  const add = (goal, limit, measured, ok) => out.push([goal, measured === undefined ? 'not measured' : measured, limit, measured === undefined ? '—' : mark(ok)]);
  const [b1, d1] = [run('block-c1', 'bridge'), run('block-c1', 'direct')];
  if (b1 && d1) {
    const dp50 = b1.latency.p50 - d1.latency.p50;
    const dp99 = b1.latency.p99 - d1.latency.p99;
    add('Added latency, blocking c=1, p50', '≤ 0.3 ms', `${f(dp50)} ms (${f(b1.latency.p50)} vs ${f(d1.latency.p50)})`, dp50 <= 0.3);
    add('Added latency, blocking c=1, p99', '≤ 2 ms', `${f(dp99)} ms (${f(b1.latency.p99)} vs ${f(d1.latency.p99)})`, dp99 <= 2);
  } else { add('Added latency, blocking c=1', '≤ 0.3 ms p50, ≤ 2 ms p99'); }
  const [b20, r20, p20, rec20] = ['bridge', 'raw', 'portkey', 'bridge-rec'].map((t) => run('block-c20', t));
  add('Throughput c=20 vs raw pipe proxy', '≥ 60%', b20 && r20 ? `${f((100 * b20.rps) / r20.rps, 0)}% (${int(b20.rps)} vs ${int(r20.rps)} req/s)` : undefined, b20 && r20 && b20.rps >= 0.6 * r20.rps);
  add('Throughput c=20 vs Portkey', '≥ 3×', b20 && p20 ? `${f(b20.rps / p20.rps)}× (${int(b20.rps)} vs ${int(p20.rps)} req/s)` : undefined, b20 && p20 && b20.rps >= 3 * p20.rps);
  const [bs, ds] = [run('stream-c1', 'bridge'), run('stream-c1', 'direct')];
  add('Streaming added TTFB, c=1, p50', '≤ 1 ms', bs && ds ? `${f(bs.ttfb.p50 - ds.ttfb.p50)} ms (${f(bs.ttfb.p50)} vs ${f(ds.ttfb.p50)})` : undefined, bs && ds && bs.ttfb.p50 - ds.ttfb.p50 <= 1);
  const [bp, dp] = [run('stream-paced', 'bridge'), run('stream-paced', 'direct')];
  if (bp && dp) {
    const reads = bp.readsPerResponse.p50;
    const ok = reads >= dp.readsPerResponse.p50 - 1 && bp.gaps.p99 <= dp.gaps.p99 + 1;
    add('Chunks relayed without coalescing (200 × 5 ms)', 'reads/stream as direct, gap p99 ≤ direct + 1 ms',
      `${f(reads, 0)} vs ${f(dp.readsPerResponse.p50, 0)} reads/stream; gap p99 ${f(bp.gaps.p99)} vs ${f(dp.gaps.p99)} ms`, ok);
  } else { add('Chunks relayed without coalescing', 'reads/stream as direct'); }
  const rss = run('rss-50k', 'bridge');
  add(`RSS after ${rss ? int(rss.n) : '50,000'} requests`, '≤ 100 MB', rss ? `${mb(rss.rssAfter)} MB (before ${mb(rss.rssBefore)}, peak ${mb(rss.peakRss)})` : undefined, rss && rss.rssAfter <= 100 * 1048576);
  const ab = run('aborted-streams', 'bridge');
  add(`No growth across ${ab ? int(ab.n) : '10,000'} aborted streams`, 'RSS slope < 0.5 MB and heap slope < 0.05 MB per 1,000',
    ab ? `RSS ${f(ab.rssSlopeMbPerK)} MB/1k, heap ${f(ab.heapSlopeMbPerK, 3)} MB/1k` : undefined, ab && ab.rssSlopeMbPerK < 0.5 && ab.heapSlopeMbPerK < 0.05);
  const idle = run('idle-streams', 'bridge');
  add('Memory per idle open stream', '≤ 30 KB', idle ? `${kb(idle.bytesPerStream)} KB RSS (${int(idle.opened)} open)` : undefined, idle && idle.bytesPerStream <= 30 * 1024);
  add('Recording cost, MemoryRecorder vs off, c=20', '≤ 10%', b20 && rec20 ? `${f(100 * (1 - rec20.rps / b20.rps), 1)}% (${int(rec20.rps)} vs ${int(b20.rps)} req/s)` : undefined, b20 && rec20 && rec20.rps >= 0.9 * b20.rps);
  return table(['goal', 'measured', 'target', 'status'], out);
}

function peakByTarget(results) {
  const rows = [];
  for (const t of results.targets) {
    let peak = 0;
    for (const s of Object.values(results.runs)) if (s[t.id] && s[t.id].peakRss > peak) peak = s[t.id].peakRss;
    if (peak) rows.push([t.label, mb(peak)]);
  }
  return table(['target', 'peak RSS MB (any scenario)'], rows);
}

function renderReport(results) {
  const m = results.meta;
  const lines = [
    '# express-aibridge benchmark',
    '',
    `${m.startedAt} · Node ${m.node} · ${m.cpus} × ${m.cpuModel} · ${m.totalMemMb} MB RAM · wall time ${f(m.wallSeconds, 0)} s${m.quick ? ' · **--quick (smoke counts, not for comparison)**' : ''}`,
    '',
    'All targets ran one at a time against the same fake upstream, driven by the same undici client, in one run; upstream, target and driver share the CPUs. Latencies are client-side, in ms. `Δ` columns are absolute differences from the direct run; `÷` columns are throughput ratios (row ÷ column target). RSS is the target process only (`/proc/PID/status`); "peak" is VmHWM reset before each scenario.',
    '',
  ];
  for (const note of m.notes) lines.push(`> **Note:** ${note}`, '');
  if (m.poolState) lines.push(`Pool mode: key states after warm-up ${m.poolState[0].keys.map((k) => `${k.hint}=${k.state}`).join(', ')}.`, '');
  if (m.recorded) lines.push(`MemoryRecorder held ${int(m.recorded.interceptions)} interceptions / ${int(m.recorded.tokenUsages)} token usages at the end (bounded at 10,000 + 25%).`, '');
  lines.push('## Goals (main bridge target: recorder off, one key)', '', goals(results), '');
  for (const s of results.scenarios) {
    if (!results.runs[s.id]) continue;
    const count = s.kind === 'idle' || s.kind === 'aborted' ? '' : ` (${int(s.n)} requests)`;
    lines.push(`## ${s.label}${count}`, '', s.kind === 'run' ? runRows(results, s) : memoryRows(results, s), '');
  }
  lines.push('## Peak RSS', '', peakByTarget(results), '');
  return lines.join('\n');
}

module.exports = { renderReport };
