// Installs the real coding-agent CLIs (pinned) into a cache outside the repository for `npm run test:agents`.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * The agents, pinned. `bin` is the executable inside the package's own install folder.
 * Bump a version here (after `npm view <package> version`) to try a newer CLI.
 */
const AGENTS = [
  { name: 'claude-code', pkg: '@anthropic-ai/claude-code', version: '2.1.332', bin: 'claude' },
  { name: 'codex', pkg: '@openai/codex', version: '0.171.0', bin: 'codex' },
  { name: 'opencode', pkg: 'opencode-ai', version: '1.18.33', bin: 'opencode' },
];

/** Where the CLIs live. Defaults to `${TMPDIR:-/tmp}/aibridge-agents`; `AIBRIDGE_AGENTS_DIR` overrides it. */
function cacheDir() {
  return process.env.AIBRIDGE_AGENTS_DIR || path.join(process.env.TMPDIR || os.tmpdir(), 'aibridge-agents');
}

/** Per-agent install time limit in ms. Defaults to 10 minutes; `AIBRIDGE_AGENTS_INSTALL_TIMEOUT_MS` overrides it. */
function installTimeoutMs() {
  const value = Number(process.env.AIBRIDGE_AGENTS_INSTALL_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : 10 * 60_000;
}

function agentDir(agent) {
  return path.join(cacheDir(), `${agent.name}-${agent.version}`);
}

function binPath(agent) {
  return path.join(agentDir(agent), 'node_modules', '.bin', agent.bin);
}

/** A marker written only after the CLI answered `--version`, so a half-finished install is never reused. */
function markerPath(agent) {
  return path.join(agentDir(agent), '.installed');
}

function tail(text, lines = 15) {
  return String(text || '').trim().split('\n').slice(-lines).join('\n');
}

function probe(agent) {
  // A sandboxed HOME: `--version` must not read or write the machine user's agent config.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'aibridge-agent-probe-'));
  try {
    const run = spawnSync(binPath(agent), ['--version'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH, HOME: home, DISABLE_AUTOUPDATER: '1', NO_COLOR: '1' },
    });
    if (run.error) return { ok: false, detail: run.error.message };
    if (run.status !== 0) return { ok: false, detail: `exit ${run.status}: ${tail(run.stderr || run.stdout)}` };
    return { ok: true, detail: tail(run.stdout, 1) };
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

function install(agent) {
  const dir = agentDir(agent);
  if (fs.existsSync(markerPath(agent)) && fs.existsSync(binPath(agent))) {
    return { name: agent.name, installed: true, bin: binPath(agent), cached: true, version: agent.version };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  // Its own package.json keeps npm from walking up into whatever project holds the cache folder.
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `aibridge-agent-${agent.name}`, private: true }));
  const started = Date.now();
  process.stdout.write(`agents: installing ${agent.pkg}@${agent.version} into ${dir} ... `);
  const run = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', `${agent.pkg}@${agent.version}`], {
    cwd: dir,
    encoding: 'utf8',
    timeout: installTimeoutMs(),
    killSignal: 'SIGKILL',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  let failure;
  if (run.error) failure = run.error.code === 'ETIMEDOUT' ? `timed out after ${installTimeoutMs() / 1000}s` : run.error.message;
  else if (run.status !== 0) failure = `npm exited ${run.status}\n${tail(run.stderr || run.stdout)}`;
  else if (!fs.existsSync(binPath(agent))) failure = `npm succeeded but ${binPath(agent)} is missing`;
  if (!failure) {
    const check = probe(agent);
    if (!check.ok) failure = `installed, but \`${agent.bin} --version\` failed: ${check.detail}`;
    else process.stdout.write(`ok in ${seconds}s (${check.detail})\n`);
  }
  if (failure) {
    process.stdout.write(`FAILED after ${seconds}s\n`);
    console.error(`agents: ${agent.name} is NOT INSTALLED: ${failure}`);
    return { name: agent.name, installed: false, error: failure, version: agent.version };
  }
  fs.writeFileSync(markerPath(agent), `${agent.pkg}@${agent.version}\n`);
  return { name: agent.name, installed: true, bin: binPath(agent), cached: false, version: agent.version };
}

/** Installs every agent (or those named on the command line) and writes `status.json` for the jest project. */
function main() {
  const only = process.argv.slice(2);
  const chosen = only.length ? AGENTS.filter((a) => only.includes(a.name)) : AGENTS;
  fs.mkdirSync(cacheDir(), { recursive: true });
  const statusFile = path.join(cacheDir(), 'status.json');
  let previous = {};
  try {
    previous = JSON.parse(fs.readFileSync(statusFile, 'utf8'));
  } catch {
    // no earlier run
  }
  const status = { ...previous };
  for (const agent of chosen) {
    status[agent.name] = install(agent);
    if (status[agent.name].cached) console.log(`agents: ${agent.name} ${agent.version} (cached in ${agentDir(agent)})`);
  }
  fs.writeFileSync(statusFile, JSON.stringify(status, null, 2));
  console.log(`agents: status written to ${statusFile}`);
  // An agent that failed to install is reported by the tests as "not installed", so the installer itself succeeds.
}

module.exports = { AGENTS, cacheDir, agentDir, binPath };

if (require.main === module) main();
