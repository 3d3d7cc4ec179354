// No log line, at any level, holds a pool key, a BYOK token or a cookie value, whatever the request quoted or the upstream echoed.
import { maskKey } from '../../lib';
import { leakedSecrets } from '../helpers/keyed-upstream';
import { BAD_KEY, BYOK_TOKEN, COOKIE_VALUE, POOL_KEY, SECRETS, blocking, byok, failover, linesOf, logSuite, passthrough, streaming, toolLoop } from '../helpers/log-scenarios';
import { eventually } from '../helpers/gateway';

const suite = logSuite('debug');

test('the suite\'s scenarios, logged at debug, leave no key, token or cookie in any line', async () => {
  for (const run of [blocking, streaming, failover, toolLoop, byok]) await linesOf(suite, await run(suite));
  await passthrough(suite);
  await eventually(() => expect(suite.lines().some((l) => l.message === 'passthrough ended')).toBe(true));

  const serialized = suite.lines().map((l) => JSON.stringify(l));
  const text = serialized.join('\n');
  expect(leakedSecrets(text, SECRETS)).toEqual([]);
  expect(text).not.toContain(COOKIE_VALUE);
  // The lines did carry what quoted the secrets (prompts, tool arguments, the refused key), masked: the check read them.
  expect(text).toContain(`Is ${maskKey(BYOK_TOKEN)} my key?`);
  expect(text).toContain(`What does ${maskKey(POOL_KEY)} unlock?`);
  expect(text).toContain(`"note\\":\\"${maskKey(POOL_KEY)}\\"`);
  expect(text).toContain(maskKey(BAD_KEY));
  const levels = new Set(suite.lines().map((l) => l.level));
  expect([...levels].sort()).toEqual(['debug', 'info', 'warn']);
});
