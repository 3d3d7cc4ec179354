// LogThrottle: one line per key per interval, and the count of the lines held back in between.
import { LogThrottle } from '../../lib/observability/log-throttle';

test('lets the first line through, holds back repeats within the interval, then reports how many were held', () => {
  const throttle = new LogThrottle(1000);
  expect(throttle.allow('a', 0)).toBe(0);
  expect(throttle.allow('a', 10)).toBe(false);
  expect(throttle.allow('a', 999)).toBe(false);
  expect(throttle.allow('b', 999)).toBe(0); // keys are independent
  expect(throttle.allow('a', 1000)).toBe(2);
  expect(throttle.allow('a', 1500)).toBe(false);
  expect(throttle.allow('a', 2000)).toBe(1);
  expect(throttle.allow('a', 5000)).toBe(0);
});
