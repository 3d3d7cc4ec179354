/** resolveActor: the host's answer checked, at once for a resolver that answers at once, as a promise for an async one. */
import winston from 'winston';
import type { Request } from 'express';
import { resolveActor } from '../../lib/http/actor';
import { GatewayError } from '../../lib/errors';

const logged: string[] = [];
const logger = winston.createLogger({ transports: [new winston.transports.Console({ silent: true })] });
logger.on('data', (info: { message: string }) => logged.push(info.message));
const req = {} as Request;

beforeEach(() => {
  logged.length = 0;
});

function statusOf(run: () => unknown): number | undefined {
  try {
    run();
  } catch (err) {
    return (err as GatewayError).status;
  }
  return undefined;
}

test('a resolver that answers at once is answered at once, not through a promise', () => {
  const actor = resolveActor(() => ({ id: 'alice' }), req, logger);
  expect(actor).not.toBeInstanceOf(Promise);
  expect(actor).toEqual({ id: 'alice' });
  expect(resolveActor(() => ({ id: 7 as unknown as string }), req, logger)).toEqual({ id: '7' });
});

test('its refusals are thrown as they were: 401 for no actor, 500 for a throw or a bad answer (logged)', () => {
  expect(statusOf(() => resolveActor(() => null, req, logger))).toBe(401);
  expect(statusOf(() => resolveActor(() => ({ id: '' }), req, logger))).toBe(401);
  expect(statusOf(() => resolveActor(() => { throw new Error('db down'); }, req, logger))).toBe(500);
  expect(statusOf(() => resolveActor(() => ({ id: { nested: true } as unknown as string }), req, logger))).toBe(500);
  expect(logged.some((m) => m.includes('actor resolver threw'))).toBe(true);
  expect(logged.some((m) => m.includes('an id of type object'))).toBe(true);
});

test('an async resolver (or a thenable) answers through a promise, with the same checks', async () => {
  await expect(resolveActor(async () => ({ id: 'bob' }), req, logger)).resolves.toEqual({ id: 'bob' });
  const thenable = { then: (ok: (a: unknown) => void) => ok({ id: 9 }) } as unknown as Promise<{ id: string }>;
  await expect(resolveActor(() => thenable, req, logger)).resolves.toEqual({ id: '9' });
  await expect(resolveActor(async () => undefined, req, logger)).rejects.toMatchObject({ status: 401 });
  await expect(resolveActor(async () => { throw new Error('down'); }, req, logger)).rejects.toMatchObject({ status: 500 });
  expect(logged).toContain('actor resolver threw');
});
