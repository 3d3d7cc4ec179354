// Aggregates a V8 .cpuprofile by function and by file: self time, and total (inclusive) time per function.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const file = process.argv[2];
const top = Number(process.argv[3] || 30);
if (!file) {
  console.error('usage: node bench/cpuprofile-summary.js FILE.cpuprofile [TOP]');
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const root = process.cwd();

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);

// Sample durations: timeDeltas[i] is the time before sample i; attribute each delta to the sample it precedes.
const selfUs = new Map();
const deltas = profile.timeDeltas;
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = deltas[i + 1] !== undefined ? deltas[i + 1] : 0;
  selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) || 0) + dt);
  total += dt;
}

const shortUrl = (url) => {
  if (!url) return '(native)';
  const p = url.replace(/^file:\/\//, '');
  if (p.startsWith(root)) return path.relative(root, p);
  return p.replace(/^.*node_modules\//, 'node_modules/');
};
const fnKey = (cf) => `${cf.functionName || '(anonymous)'}  ${shortUrl(cf.url)}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
const group = (url) => {
  const s = shortUrl(url);
  if (s === '(native)') return '(native/V8: GC, idle, program)';
  if (s.startsWith('node:')) return 'node core';
  if (s.startsWith('dist/')) return 'express-aibridge (dist/)';
  const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(s);
  return m ? m[1] : s;
};

const selfByFn = new Map();
const selfByGroup = new Map();
const totalByFn = new Map();
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  const k = fnKey(node.callFrame);
  selfByFn.set(k, (selfByFn.get(k) || 0) + us);
  const g = node.callFrame.functionName === '(idle)' ? '(idle)' : group(node.callFrame.url);
  selfByGroup.set(g, (selfByGroup.get(g) || 0) + us);
  // Inclusive: credit every distinct function on the stack once.
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const key = fnKey(byId.get(cur).callFrame);
    if (seen.has(key)) continue;
    seen.add(key);
    totalByFn.set(key, (totalByFn.get(key) || 0) + us);
  }
}

const idle = selfByGroup.get('(idle)') || 0;
for (const k of [...selfByFn.keys()]) if (k.startsWith('(idle)')) selfByFn.delete(k);
const busy = total - idle;
const pct = (us) => `${((100 * us) / busy).toFixed(1)}%`.padStart(6);
const print = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${pct(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (percentages are of busy time)`);
selfByGroup.delete('(idle)');
print('Self time by package', selfByGroup, 15);
print('Top functions by self time', selfByFn, top);
const ours = new Map([...totalByFn].filter(([k]) => /\bdist\//.test(k)));
print('express-aibridge functions by total (inclusive) time', ours, 25);
