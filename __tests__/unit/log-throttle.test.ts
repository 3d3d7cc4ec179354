/** LogThrottle: one line per key per interval, reporting how many it held back. */
import { LogThrottle } from '../../lib/observability/log-throttle';

test('allows the first line of a key, holds back the rest of the interval, then reports how many it held back', () => {
  let now = 1_000;
  const throttle = new LogThrottle(10_000, () => now);
  expect(throttle.allow('timeout')).toBe(0);
  expect(throttle.allow('timeout')).toBe(false);
  now += 9_999;
  expect(throttle.allow('timeout')).toBe(false);
  expect(throttle.allow('dropped')).toBe(0); // keys are independent
  now += 1;
  expect(throttle.allow('timeout')).toBe(2);
  expect(throttle.allow('timeout')).toBe(false);
  now += 10_000;
  expect(throttle.allow('timeout')).toBe(1);
  now += 10_000;
  expect(throttle.allow('timeout')).toBe(0);
});
