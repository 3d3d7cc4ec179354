/** Runs one agent CLI headless in a throw-away HOME and workspace, with a hard time limit, and captures its output. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface AgentRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export interface Sandbox {
  /** The agent's HOME (and XDG dirs under it): nothing of the machine user's config is read or written. */
  home: string;
  /** The agent's working directory. */
  workspace: string;
  remove(): void;
}

/** A fresh HOME and workspace under the OS temp dir. */
export function makeSandbox(agent: string): Sandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `aibridge-${agent}-`));
  const home = path.join(root, 'home');
  const workspace = path.join(root, 'workspace');
  fs.mkdirSync(home);
  fs.mkdirSync(workspace);
  return { home, workspace, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** The environment every agent gets: no variable of this process leaks in besides PATH, proxies point at the recorder. */
export function baseEnv(sandbox: Sandbox, egressProxy: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: sandbox.home,
    XDG_CONFIG_HOME: path.join(sandbox.home, '.config'),
    XDG_DATA_HOME: path.join(sandbox.home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(sandbox.home, '.cache'),
    XDG_STATE_HOME: path.join(sandbox.home, '.local', 'state'),
    TMPDIR: os.tmpdir(),
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
    CI: '1',
    HTTPS_PROXY: egressProxy,
    HTTP_PROXY: egressProxy,
    ALL_PROXY: egressProxy,
    https_proxy: egressProxy,
    http_proxy: egressProxy,
    all_proxy: egressProxy,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
  };
}

/** Per run time limit. Defaults to 90 s; `AIBRIDGE_AGENTS_RUN_TIMEOUT_MS` overrides it. */
export function runTimeoutMs(): number {
  const value = Number(process.env.AIBRIDGE_AGENTS_RUN_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : 90_000;
}

/**
 * Spawns `bin args` in its own process group with stdin closed; past the time limit the whole group is killed
 * (agents start helpers of their own).
 */
export function runAgent(bin: string, args: string[], options: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<AgentRun> {
  const started = Date.now();
  const child = spawn(bin, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => void (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => void (stderr += d));
  let timedOut = false;
  const kill = (): void => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, options.timeoutMs ?? runTimeoutMs());
  return new Promise((resolve) => {
    child.on('error', (err) => {
      stderr += `\nspawn failed: ${err.message}`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      kill(); // helpers the agent left behind
      resolve({ code, signal, stdout, stderr, timedOut, durationMs: Date.now() - started });
    });
  });
}
