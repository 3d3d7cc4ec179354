/** The default logger, as a host process sees it: warnings reach stderr; a silent winston logger is the way to turn them off. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const REGISTER = join(ROOT, '__tests__', 'fixtures', 'ts-register.js');

/** Runs `body` in a new Node process with `lib` (the TypeScript sources) in scope; returns what it printed. */
function runHost(body: string): { status: number | null; stdout: string; stderr: string } {
  const script = `const lib = require(${JSON.stringify(join(ROOT, 'lib', 'index.ts'))});\n${body}`;
  const r = spawnSync(process.execPath, ['-r', REGISTER, '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 15_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// An OpenAI baseURL without `/v1` is the warning every new user can provoke at creation.
const CREATE_WITH_WARNING = `
lib.createBridge({
  providers: [lib.openaiProvider({ keys: ['sk-test-key-0001'], baseURL: 'http://127.0.0.1:9' })],
  actor: () => undefined,
  LOGGER
});`;

test('without a logger option, a warning is printed to stderr as a warn-level line', () => {
  const { status, stdout, stderr } = runHost(CREATE_WITH_WARNING.replace('LOGGER', ''));
  expect(status).toBe(0);
  expect(stdout).toBe('');
  const lines = stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  expect(lines).toEqual([
    expect.objectContaining({ level: 'warn', component: 'express-aibridge', message: expect.stringContaining('did you mean http://127.0.0.1:9/v1?') }),
  ]);
});

test('a silent winston logger prints nothing', () => {
  const { status, stdout, stderr } = runHost(CREATE_WITH_WARNING.replace('LOGGER', "logger: require('winston').createLogger({ silent: true }),"));
  expect(status).toBe(0);
  expect(stdout + stderr).toBe('');
});
