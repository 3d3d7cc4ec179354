/** Child record keys: unique across stores, and in creation order within one (so inserts append to the unique index). */
import { recordKeys } from '../../lib/recorder/sql-recorder';

test('keys of one store are distinct and sort in the order they were given', () => {
  const next = recordKeys();
  const keys = Array.from({ length: 5000 }, () => next());
  expect(new Set(keys).size).toBe(5000);
  expect([...keys].sort()).toEqual(keys);
});

test('two stores never share a key prefix', () => {
  const [a, b] = [recordKeys(), recordKeys()];
  const [ka, kb] = [a(), b()];
  expect(ka).not.toBe(kb);
  expect(ka.slice(0, 16)).not.toBe(kb.slice(0, 16));
  expect(ka.length).toBe(kb.length);
});
