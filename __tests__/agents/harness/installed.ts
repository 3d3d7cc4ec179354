/** Finds the agent CLIs installed by `scripts/agents/install.js`, and skips (visibly) the suites of those that are not. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type AgentName = 'claude-code' | 'codex' | 'opencode';

interface InstallStatus {
  installed: boolean;
  bin?: string;
  version?: string;
  error?: string;
}

/** The installer's cache: `AIBRIDGE_AGENTS_DIR`, else `${TMPDIR:-/tmp}/aibridge-agents` (same rule as the installer). */
export function agentsCacheDir(): string {
  return process.env.AIBRIDGE_AGENTS_DIR || path.join(process.env.TMPDIR || os.tmpdir(), 'aibridge-agents');
}

function readStatus(): Record<string, InstallStatus> {
  try {
    return JSON.parse(fs.readFileSync(path.join(agentsCacheDir(), 'status.json'), 'utf8'));
  } catch {
    return {};
  }
}

/** The CLI of `name`, or why there is none. */
export function agentInstall(name: AgentName): { bin: string; version: string } | { missing: string } {
  const status = readStatus()[name];
  if (!status) return { missing: 'the installer has not run (npm run test:agents runs it first)' };
  if (!status.installed || !status.bin) return { missing: status.error ?? 'install failed' };
  if (!fs.existsSync(status.bin)) return { missing: `${status.bin} is gone (run scripts/agents/install.js again)` };
  return { bin: status.bin, version: status.version ?? 'unknown' };
}

/**
 * `describe` for an installed agent, else `describe.skip`: a failed install is not a failure of the bridge. The
 * installer printed why, and the agents reporter lists the agent as "not installed".
 */
export function describeAgent(name: AgentName): jest.Describe {
  return 'bin' in agentInstall(name) ? describe : describe.skip;
}
