// The circuit registry's bounds and the failure window, without sockets: which circuits are kept, which failures count.
import winston from 'winston';
import { CircuitBreakers } from '../../lib/governance/circuit-breakers';
import { CIRCUIT_BREAKER_DEFAULTS } from '../../lib/governance/circuit-breaker-options';
import { upstreamOutcome } from '../../lib/governance/upstream-outcome';
import { GatewayError } from '../../lib/errors';

const logger = winston.createLogger({ silent: true });
const breakers = (overrides: Partial<typeof CIRCUIT_BREAKER_DEFAULTS> = {}) => new CircuitBreakers({ ...CIRCUIT_BREAKER_DEFAULTS, ...overrides }, logger);
const flush = () => new Promise((r) => setImmediate(r));

/** Sends `n` requests that fail upstream for `model`. */
async function fail(b: CircuitBreakers, model: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) b.admit('p', 'a', model)?.settle('failure');
  await flush();
}

const stateOf = (b: CircuitBreakers, model: string) => b.status().find((s) => s.model === model)?.state;

describe('CircuitBreakers', () => {
  test('keeps at most maxCircuits: the least recently used closed one is forgotten, an open one never', async () => {
    const b = breakers({ failures: 1, maxCircuits: 2 });
    await fail(b, 'down', 1);
    expect(stateOf(b, 'down')).toBe('open');
    b.admit('p', 'a', 'one')!.settle('success');
    b.admit('p', 'a', 'two')!.settle('success');
    expect(b.status().map((s) => s.model)).toEqual(['down', 'two']);
    expect(() => b.admit('p', 'a', 'down')).toThrow(GatewayError);
  });

  test('while every circuit is open, a new model is let through untracked', async () => {
    const b = breakers({ failures: 1, maxCircuits: 2 });
    await fail(b, 'x', 1);
    await fail(b, 'y', 1);
    expect(b.admit('p', 'a', 'z')).toBeUndefined();
    expect(b.status().map((s) => [s.model, s.state])).toEqual([['x', 'open'], ['y', 'open']]);
  });

  test('a model name longer than 256 characters gets no circuit', () => {
    const b = breakers();
    expect(b.admit('p', 'a', 'm'.repeat(257))).toBeUndefined();
    expect(b.status()).toEqual([]);
  });

  test('failures older than windowMs no longer count', async () => {
    const b = breakers({ failures: 2, windowMs: 50 });
    await fail(b, 'slow', 1);
    expect(b.status()[0].failures).toBe(1);
    await new Promise((r) => setTimeout(r, 80));
    expect(b.status()[0].failures).toBe(0);
    await fail(b, 'slow', 1);
    expect(stateOf(b, 'slow')).toBe('closed');
    await fail(b, 'slow', 1);
    expect(stateOf(b, 'slow')).toBe('open');
  });

  test('successes and requests with nothing to judge do not count; circuits are per provider and API too', async () => {
    const b = breakers({ failures: 2 });
    for (const outcome of ['success', 'none', 'failure', 'success', 'none'] as const) b.admit('p', 'a', 'm')!.settle(outcome);
    await flush();
    expect(b.status()[0]).toMatchObject({ state: 'closed', failures: 1 });
    b.admit('q', 'a', 'm')!.settle('failure');
    b.admit('p', 'b', 'm')!.settle('failure');
    await flush();
    expect(b.status().map((s) => s.state)).toEqual(['closed', 'closed', 'closed']);
  });

  test('the refusal says how long to wait, rounded up to whole seconds', async () => {
    const b = breakers({ failures: 1, openMs: 2_500 });
    await fail(b, 'm', 1);
    const err = (() => { try { b.admit('p', 'a', 'm'); } catch (e) { return e as GatewayError; } })()!;
    expect(err).toMatchObject({ status: 503, errorType: 'overloaded', code: 'circuit_open', retryAfterSec: 3 });
  });

  test('timeouts and 504s from one actor alone never open a circuit: a huge prompt or a long generation is that request\'s doing', async () => {
    const b = breakers({ failures: 3 });
    for (let i = 0; i < 20; i++) b.admit('p', 'a', 'm', 'mallory')!.settle('slow');
    await flush();
    expect(b.status()[0]).toMatchObject({ state: 'closed', failures: 0 });
    expect(b.admit('p', 'a', 'm', 'alice')).toBeDefined();
  });

  test('timeouts from minActors distinct actors count: a second actor\'s opens the circuit', async () => {
    const b = breakers({ failures: 3 });
    for (let i = 0; i < 5; i++) b.admit('p', 'a', 'm', 'mallory')!.settle('slow');
    await flush();
    expect(stateOf(b, 'm')).toBe('closed');
    b.admit('p', 'a', 'm', 'alice')!.settle('slow');
    await flush();
    expect(stateOf(b, 'm')).toBe('open');
    expect(() => b.admit('p', 'a', 'm', 'bob')).toThrow(GatewayError);
  });

  test('a slow actor does not hide the failures the upstream signals itself (503, 529, connection refused), which count whoever asked', async () => {
    const b = breakers({ failures: 3 });
    b.admit('p', 'a', 'm', 'alice')!.settle('failure');
    b.admit('p', 'a', 'm', 'alice')!.settle('failure');
    for (let i = 0; i < 10; i++) b.admit('p', 'a', 'm', 'mallory')!.settle('slow');
    await flush();
    expect(b.status()[0]).toMatchObject({ state: 'closed', failures: 2 });
    b.admit('p', 'a', 'm', 'alice')!.settle('failure');
    await flush();
    expect(stateOf(b, 'm')).toBe('open');
  });

  test('minActors: 1 counts one actor\'s timeouts, as the breaker did before; slow failures older than windowMs no longer count', async () => {
    const b = breakers({ failures: 2, minActors: 1 });
    b.admit('p', 'a', 'one', 'mallory')!.settle('slow');
    b.admit('p', 'a', 'one', 'mallory')!.settle('slow');
    await flush();
    expect(stateOf(b, 'one')).toBe('open');
    const windowed = breakers({ failures: 2, windowMs: 50 });
    windowed.admit('p', 'a', 'm', 'alice')!.settle('slow');
    await flush();
    await new Promise((r) => setTimeout(r, 80));
    windowed.admit('p', 'a', 'm', 'bob')!.settle('slow');
    windowed.admit('p', 'a', 'm', 'bob')!.settle('slow');
    await flush();
    expect(stateOf(windowed, 'm')).toBe('closed');
  });

  test('a probe that learns nothing (the client left before an answer) keeps the circuit open', async () => {
    const b = breakers({ failures: 1, openMs: 20 });
    await fail(b, 'm', 1);
    await new Promise((r) => setTimeout(r, 30));
    const probe = b.admit('p', 'a', 'm')!;
    expect(stateOf(b, 'm')).toBe('half-open');
    probe.settle('none');
    await flush();
    expect(stateOf(b, 'm')).toBe('open');
  });
});

describe('upstreamOutcome', () => {
  const trace = (...log: Array<{ httpStatus?: number; errorType?: string }>) => ({ attempts: log.length, log: log.map((l) => ({ credentialHint: 'h', durationMs: 1, ...l })) }) as never;
  test.each<[string, string, ReturnType<typeof trace>]>([
    ['no attempt', 'none', trace()],
    ['503', 'failure', trace({ httpStatus: 503 })],
    ['504', 'slow', trace({ httpStatus: 504 })],
    ['529', 'failure', trace({ httpStatus: 529 })],
    ['502 is an answer', 'success', trace({ httpStatus: 502 })],
    ['429', 'success', trace({ httpStatus: 429 })],
    ['400', 'success', trace({ httpStatus: 400 })],
    ['a 429 failover, then 503', 'failure', trace({ httpStatus: 429 }, { httpStatus: 503 })],
    ['connection refused', 'failure', trace({ errorType: 'server_error' })],
    ['headers timeout', 'slow', trace({ errorType: 'timeout' })],
    ['a 503, then a timeout on the next key', 'slow', trace({ httpStatus: 503 }, { errorType: 'timeout' })],
    ['the client left', 'none', trace({ errorType: 'aborted' })],
  ])('%s → %s', (_name, expected, t) => {
    expect(upstreamOutcome(t)).toBe(expected);
  });
});
