// Child-process plumbing for the orchestrator: fork with a ready handshake, IPC queries, RSS from /proc.
'use strict';
const fs = require('node:fs');
const { fork } = require('node:child_process');

/** A forked process that announced `{type:'ready', port}`; `ask()` sends a query and awaits its reply. */
function start(modulePath, { args = [], env = {}, execArgv = [], cwd, readyTimeoutMs = 20_000, name = modulePath, stdout = 'ignore' } = {}) {
  const child = fork(modulePath, args, {
    cwd,
    env: { ...process.env, ...env },
    execArgv: ['--expose-gc', ...execArgv],
    stdio: ['ignore', stdout, 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const pending = new Map();
  let nextId = 1;
  child.on('message', (msg) => {
    if (msg && msg.type === 'reply' && pending.has(msg.id)) {
      pending.get(msg.id)(msg.value);
      pending.delete(msg.id);
    }
  });
  const proc = {
    child,
    pid: child.pid,
    name,
    get stderr() { return stderr; },
    ask(type, extra = {}, timeoutMs = 30_000) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { pending.delete(id); reject(new Error(`${name}: no reply to ${type}`)); }, timeoutMs);
        pending.set(id, (v) => { clearTimeout(timer); resolve(v); });
        child.send({ ...extra, type, id });
      });
    },
    /** Asks the child to exit (it exits when the IPC channel closes, so --cpu-prof output gets written), then kills it. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      if (child.connected) child.disconnect();
      const term = setTimeout(() => child.kill('SIGTERM'), 5000);
      const kill = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(term);
      clearTimeout(kill);
    },
  };
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in ${readyTimeoutMs} ms. stderr: ${stderr}`)), readyTimeoutMs);
    child.on('message', (msg) => {
      if (msg && msg.type === 'ready') { clearTimeout(timer); resolve({ ...proc, port: msg.port, address: msg.address }); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${name} exited (${code}) before it was ready. stderr: ${stderr}`)); });
  });
  return ready;
}

/** Current and peak resident set size of a process, in bytes (Linux /proc). */
function procMem(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number((new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status) || [])[1]) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}

/** Resets a process's peak RSS (VmHWM) so the next reading covers one scenario; false where not allowed. */
function resetPeak(pid) {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

module.exports = { start, procMem, resetPeak };

/** CPU ticks (USER_HZ) the whole machine spent busy, and those spent by `pids`. */
function cpuTicks(pids) {
  let busy = 0;
  try {
    const [cpu] = fs.readFileSync('/proc/stat', 'utf8').split('\n');
    const v = cpu.trim().split(/\s+/).slice(1).map(Number);
    busy = v.reduce((a, b) => a + b, 0) - v[3] - (v[4] || 0); // minus idle and iowait
  } catch {
    return undefined;
  }
  let ours = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ours += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch { /* exited */ }
  }
  return { busy, ours, at: Date.now() };
}

/** CPU used by processes other than `pids` between two `cpuTicks` readings, in cores (1 = one core busy). */
function foreignCores(a, b) {
  if (!a || !b || b.at === a.at) return NaN;
  return Math.max(0, (b.busy - a.busy) - (b.ours - a.ours)) / 100 / ((b.at - a.at) / 1000);
}

/** Waits (up to `maxMs`) until processes other than `pids` use less than 0.15 core; returns how long it waited. */
async function waitForQuiet(pids, maxMs = 10_000) {
  const t0 = Date.now();
  while (Date.now() - t0 < maxMs) {
    const a = cpuTicks(pids);
    await new Promise((r) => setTimeout(r, 300));
    const busy = foreignCores(a, cpuTicks(pids));
    if (!(busy >= 0.15)) break;
  }
  return Date.now() - t0;
}

module.exports.cpuTicks = cpuTicks;
module.exports.waitForQuiet = waitForQuiet;
module.exports.foreignCores = foreignCores;
