// Jest reporter for `npm run test:agents`: one line per agent and scenario, "not installed" agents, egress attempts.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { AGENTS, cacheDir } = require('./install');

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Scenario results by agent, from the suites' `describe` titles (agent) and test titles (scenario before the colon). */
class AgentsReporter {
  onRunStart() {
    // Results of an earlier run would be quoted as this run's otherwise.
    fs.rmSync(path.join(cacheDir(), 'results'), { recursive: true, force: true });
  }

  onRunComplete(_contexts, results) {
    const status = readJson(path.join(cacheDir(), 'status.json')) || {};
    const lines = ['', 'Agents through the bridge:'];
    for (const agent of AGENTS) {
      const installed = status[agent.name];
      if (!installed || !installed.installed) {
        lines.push(`  ${agent.name.padEnd(12)} not installed: ${(installed && installed.error) || 'installer did not run'}`.split('\n')[0]);
        continue;
      }
      const file = results.testResults.find((r) => path.basename(r.testFilePath) === `${agent.name}.test.ts`);
      for (const t of (file && file.testResults) || []) {
        const scenario = t.title.split(':')[0];
        const seconds = t.duration ? ` ${(t.duration / 1000).toFixed(1)} s` : '';
        lines.push(`  ${agent.name.padEnd(12)} ${agent.version.padEnd(9)} ${scenario.padEnd(18)} ${t.status}${seconds}`);
      }
      const tried = new Set();
      for (const name of ['pong', 'injected-tool', 'client-tool']) {
        const result = readJson(path.join(cacheDir(), 'results', `${agent.name}-${name}.json`));
        for (const attempt of (result && result.egressAttempts) || []) tried.add(attempt);
      }
      lines.push(`  ${' '.repeat(12)} egress attempts (refused): ${tried.size ? [...tried].join(', ') : 'none'}`);
    }
    lines.push(`  details: ${path.join(cacheDir(), 'results')}`);
    console.log(lines.join('\n'));
  }
}

module.exports = AgentsReporter;
