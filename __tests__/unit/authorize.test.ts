/** The authorize step on its own: a hook that answers at once is answered at once, and an async one leaves no timer behind. */
import winston from 'winston';
import { authorize, type AuthorizeContext, type AuthorizeHook } from '../../lib/pipeline/authorize';
import { emptyCounters } from '../../lib/observability/counters';
import type { BridgeRuntime, ProviderRuntime } from '../../lib/pipeline/runtime';
import { GatewayError } from '../../lib/errors';

const ctx = {
  kind: 'passthrough', req: {},
  interception: { actor: { id: 'alice' }, providerName: 'openai', method: 'GET', route: '/v1/models', path: '/v1/models' },
} as unknown as AuthorizeContext;

function runtimes(hook: AuthorizeHook, timeoutMs = 1_000) {
  const provider = { adapter: { name: 'openai' }, counters: emptyCounters() } as unknown as ProviderRuntime;
  const bridge = { authorize: { hook, timeoutMs }, logger: winston.createLogger({ silent: true }) } as unknown as BridgeRuntime;
  return { provider, bridge };
}

afterEach(() => jest.useRealTimers());

test('a sync allow is answered at once: no promise, no timer', () => {
  jest.useFakeTimers();
  const { provider, bridge } = runtimes(() => ({ allow: true }));
  expect(authorize(ctx, provider, bridge)).toBeUndefined();
  expect(jest.getTimerCount()).toBe(0);
});

test('a sync denial throws at once, with the reason, and is counted', () => {
  const { provider, bridge } = runtimes(() => ({ allow: false, reason: 'no' }));
  let thrown: unknown;
  try {
    authorize(ctx, provider, bridge);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(GatewayError);
  expect(thrown).toMatchObject({ status: 403, errorType: 'denied', code: 'forbidden', message: 'no' });
  expect(provider.counters.denied).toBe(1);
});

test('an async hook is waited for, and its deadline timer is cleared once it answers', async () => {
  jest.useFakeTimers();
  const { provider, bridge } = runtimes(async () => true);
  const pending = authorize(ctx, provider, bridge);
  expect(pending).toBeInstanceOf(Promise);
  expect(jest.getTimerCount()).toBe(1);
  await pending;
  expect(jest.getTimerCount()).toBe(0);
});

test('an async hook past its deadline is refused with a 500 and counted', async () => {
  jest.useFakeTimers();
  const { provider, bridge } = runtimes(() => new Promise<boolean>(() => undefined), 50);
  const pending = authorize(ctx, provider, bridge) as Promise<void>;
  jest.advanceTimersByTime(50);
  await expect(pending).rejects.toMatchObject({ status: 500, code: 'authorize_failed' });
  expect(provider.counters.authorizeFailed).toBe(1);
});
