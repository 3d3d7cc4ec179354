/** prom-client is an optional peer: loaded only when `metrics` is set, and named in the error when it is missing. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const REGISTER = join(ROOT, '__tests__', 'fixtures', 'ts-register.js');
const WITHOUT = join(ROOT, '__tests__', 'fixtures', 'without-prom-client.js');

/** Runs `body` in a new Node process with `lib` in scope; prints whether prom-client is in require.cache. */
function runHost(body: string, preload: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const script = `const lib = require(${JSON.stringify(join(ROOT, 'lib', 'index.ts'))});
const loaded = () => Object.keys(require.cache).some((f) => f.includes('/node_modules/prom-client/'));
${body}`;
  const args = [...preload.flatMap((p) => ['-r', p]), '-r', REGISTER, '-e', script];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 100_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const create = (metrics: string) => `{
const bridge = lib.createBridge({
  providers: [lib.openaiProvider({ keys: ['sk-test-key-0001'], baseURL: 'http://127.0.0.1:9/v1' })],
  actor: () => undefined, logger: require('winston').createLogger({ silent: true }), ${metrics}
});
bridge.close();
}`;

// Each host process transpiles the sources: slow on a busy machine.
jest.setTimeout(240_000);

test('a bridge without `metrics` never loads prom-client; one with `metrics` does', () => {
  const { status, stdout, stderr } = runHost(`${create('')}
console.log(loaded());
${create('metrics: { registry: new (require("prom-client").Registry)() }')}
console.log(loaded());`);
  expect(stderr).toBe('');
  expect(status).toBe(0);
  expect(stdout.split('\n').filter(Boolean)).toEqual(['false', 'true']);
});

test('without prom-client installed: no metrics works, `metrics` throws an error naming the package', () => {
  const { status, stdout, stderr } = runHost(`${create('')}
console.log(loaded());
try { ${create('metrics: {}')} } catch (err) { console.error(err.message); }`, [WITHOUT]);
  expect(status).toBe(0);
  expect(stdout.trim()).toBe('false');
  expect(stderr.trim()).toBe('createBridge: option `metrics` needs the optional package prom-client, which is not installed: run `npm install prom-client`.');
});
