/** Runs the example app (`node example-app/server.js`) as a child process for tests: output, readiness, its MCP child. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
const START_TIMEOUT_MS = 10_000;

export interface ExampleApp {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  exited: Promise<number | null>;
  /** Resolves when stdout matches `pattern`; rejects if the app exits or stays silent too long. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL after 5 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts the app offline (no OpenAI key) on a free port, with `env` on top, in `cwd` (the repository by default).
 * Its usage database is SQLite in memory unless `env` sets `AIBRIDGE_DB` (`undefined` → the app's default file in `cwd`).
 */
export function spawnExampleApp(env: Record<string, string | undefined> = {}, { cwd = ROOT }: { cwd?: string } = {}): ExampleApp {
  // The example loads the compiled package; build it once if nobody has yet.
  if (!existsSync(path.join(ROOT, 'dist/index.js'))) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  const full: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', AIBRIDGE_DB: ':memory:', ...env };
  delete full.OPENAI_API_KEY;
  delete full.OPENAI_BASE_URL;
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete full[k];
  const child = spawn(process.execPath, [path.join(ROOT, 'example-app/server.js')], { cwd, env: full, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));

  function waitForOutput(pattern: RegExp, timeoutMs = START_TIMEOUT_MS): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        // The app's own output is on stdout, its log lines on stderr: a pattern may be either.
        const match = pattern.exec(stdout) ?? pattern.exec(stderr);
        if (!match) return;
        cleanup();
        resolve(match);
      };
      const onExit = (code: number | null): void => {
        cleanup();
        reject(new Error(`example app exited (${code}) before printing ${pattern}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`example app did not print ${pattern} within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      }, timeoutMs);
      function cleanup(): void {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        child.stderr!.off('data', check);
        child.off('exit', onExit);
      }
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.once('exit', onExit);
      check();
    });
  }

  async function stop(): Promise<number | null> {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    }
    return exited;
  }

  return { child, get stdout() { return stdout; }, get stderr() { return stderr; }, exited, waitForOutput, stop };
}

/** Pids of the processes whose parent is `parentPid` and whose command line contains `needle` (Linux /proc). */
export function childPids(parentPid: number, needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parentPid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Whether `pid` is still running (a zombie counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
