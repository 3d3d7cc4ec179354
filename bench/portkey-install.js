// Installs @portkey-ai/gateway 1.15.2 into a temporary folder (cached across runs), time-boxed; never touches package.json.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const VERSION = '1.15.2';
const DIR = path.join(os.tmpdir(), 'aibridge-bench-portkey');
const ENTRY = path.join(DIR, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
const MANIFEST = {
  name: 'aibridge-bench-portkey',
  private: true,
  dependencies: { '@portkey-ai/gateway': VERSION },
  // Newer @hono/node-server versions break Portkey's streaming responses.
  overrides: { '@hono/node-server': '1.13.5' },
};

function installedVersion() {
  try {
    return JSON.parse(fs.readFileSync(path.join(DIR, 'node_modules', '@portkey-ai', 'gateway', 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** The most telling line of npm's stderr (its error code or first error line). */
function firstError(stderr) {
  const lines = stderr.split('\n').map((l) => l.replace(/^npm (error|ERR!)\s*/, '').trim()).filter(Boolean);
  return (lines.find((l) => /^code\b/.test(l)) || '') + (lines.find((l) => !/^code\b/.test(l)) ? ` ${lines.find((l) => !/^code\b/.test(l))}` : '');
}

/** Resolves `{ entry, dir, cached }`, or `{ error }` when it could not be installed within `timeoutMs`. */
function installPortkey(timeoutMs = 180_000) {
  if (installedVersion() === VERSION && fs.existsSync(ENTRY)) return Promise.resolve({ entry: ENTRY, dir: DIR, cached: true });
  fs.mkdirSync(DIR, { recursive: true });
  fs.writeFileSync(path.join(DIR, 'package.json'), JSON.stringify(MANIFEST, null, 2));
  return new Promise((resolve) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    // --ignore-scripts: its postinstall (patch-package) has no patches to apply in a consumer install.
    const child = spawn(npm, ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: DIR, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); resolve({ error: `npm could not start: ${err.message}` }); });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && installedVersion() === VERSION) resolve({ entry: ENTRY, dir: DIR, cached: false });
      else resolve({ error: signal ? `npm install timed out after ${timeoutMs / 1000}s` : `npm install failed (exit ${code}): ${firstError(stderr)}` });
    });
  });
}

module.exports = { installPortkey, PORTKEY_VERSION: VERSION };

if (require.main === module) installPortkey().then((r) => console.log(r));
