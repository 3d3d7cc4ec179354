/** The `tracing` option: validated at creation, `@opentelemetry/api` loaded only when tracing is on and named when it is missing. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { normalizeBridgeOptions } from '../../lib/bridge-config';
import { openaiProvider } from '../../lib';

const ROOT = join(__dirname, '..', '..');
const REGISTER = join(ROOT, '__tests__', 'fixtures', 'ts-register.js');
const WITHOUT = join(ROOT, '__tests__', 'fixtures', 'without-otel-api.js');

const base = () => ({ providers: [openaiProvider({ keys: ['sk-test-key-0001'], baseURL: 'http://127.0.0.1:9/v1' })], actor: () => undefined });

test('off by default and with false; true and { tracerProvider } turn it on', () => {
  expect(normalizeBridgeOptions(base()).tracing).toBeUndefined();
  expect(normalizeBridgeOptions({ ...base(), tracing: false }).tracing).toBeUndefined();
  expect(normalizeBridgeOptions({ ...base(), tracing: true }).tracing?.tracerProvider).toBeDefined();
  const tracerProvider = new BasicTracerProvider();
  expect(normalizeBridgeOptions({ ...base(), tracing: { tracerProvider } }).tracing?.tracerProvider).toBe(tracerProvider);
  expect(normalizeBridgeOptions({ ...base(), tracing: {} }).tracing?.tracerProvider).toBeDefined();
});

test('bad values throw errors that name the option', () => {
  expect(() => normalizeBridgeOptions({ ...base(), tracing: 'yes' as never })).toThrow('createBridge: option `tracing` must be a boolean or an object ({ tracerProvider? }).');
  expect(() => normalizeBridgeOptions({ ...base(), tracing: { tracerprovider: {} } as never })).toThrow('tracing.tracerprovider');
  expect(() => normalizeBridgeOptions({ ...base(), tracing: { tracerProvider: {} as never } })).toThrow('createBridge: option `tracing.tracerProvider` must be an OpenTelemetry TracerProvider (with getTracer()).');
});

/** Runs `body` in a new Node process with `lib` in scope; `loaded()` says whether @opentelemetry/api is in require.cache. */
function runHost(body: string, preload: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const script = `const lib = require(${JSON.stringify(join(ROOT, 'lib', 'index.ts'))});
const loaded = () => Object.keys(require.cache).some((f) => f.includes('/node_modules/@opentelemetry/api/'));
const create = (extra) => lib.createBridge({
  providers: [lib.openaiProvider({ keys: ['sk-test-key-0001'], baseURL: 'http://127.0.0.1:9/v1' })],
  actor: () => undefined, logger: require('winston').createLogger({ silent: true }), ...extra,
}).close();
${body}`;
  const args = [...preload.flatMap((p) => ['-r', p]), '-r', REGISTER, '-e', script];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 100_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Each host process transpiles the sources: slow on a busy machine.
jest.setTimeout(240_000);

test('a bridge without `tracing` never loads @opentelemetry/api; one with `tracing` does', () => {
  const { status, stdout, stderr } = runHost(`create({});
create({ tracing: false });
console.log(loaded());
create({ tracing: true });
console.log(loaded());`);
  expect(stderr).toBe('');
  expect(status).toBe(0);
  expect(stdout.split('\n').filter(Boolean)).toEqual(['false', 'true']);
});

test('without @opentelemetry/api installed: no tracing works, `tracing` throws an error naming the package', () => {
  const { status, stdout, stderr } = runHost(`create({});
console.log('created');
try { create({ tracing: true }); } catch (err) { console.error(err.message); }`, [WITHOUT]);
  expect(status).toBe(0);
  expect(stdout.trim()).toBe('created');
  expect(stderr.trim()).toBe('createBridge: option `tracing` needs the optional package @opentelemetry/api, which is not installed: run `npm install @opentelemetry/api`.');
});
