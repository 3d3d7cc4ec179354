// Child-process plumbing for the orchestrator: fork with a ready handshake, IPC queries, RSS from /proc.
'use strict';
const fs = require('node:fs');
const { fork } = require('node:child_process');

/** A forked process that announced `{type:'ready', port}`; `ask()` sends a query and awaits its reply. */
function start(modulePath, { args = [], env = {}, execArgv = [], cwd, readyTimeoutMs = 20_000, name = modulePath } = {}) {
  const child = fork(modulePath, args, {
    cwd,
    env: { ...process.env, ...env },
    execArgv: ['--expose-gc', ...execArgv],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
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
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
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
