/** The metrics' own series, as a prom-client registry reads and prints them. */
import { Registry } from 'prom-client';
import { CounterFamily, HistogramFamily } from '../../lib/observability/metrics/series';

test('a histogram counts a value equal to a bound in that bucket; buckets are cumulative in the text', async () => {
  const registry = new Registry();
  const family = new HistogramFamily('h_seconds', 'help', ['route'], [0.1, 1]);
  registry.registerMetric(family as never);
  const s = family.child('/a');
  for (const v of [0.05, 0.1, 0.5, 1, 7]) s.observe(v);
  expect(family.child('/a')).toBe(s);
  expect(await registry.metrics()).toBe([
    '# HELP h_seconds help', '# TYPE h_seconds histogram',
    'h_seconds_bucket{route="/a",le="0.1"} 2', 'h_seconds_bucket{route="/a",le="1"} 4', 'h_seconds_bucket{route="/a",le="+Inf"} 5',
    'h_seconds_sum{route="/a"} 8.65', 'h_seconds_count{route="/a"} 5', '',
  ].join('\n'));
});

test('a counter prints its series with escaped label values; resetMetrics zeroes series the request path still holds', async () => {
  const registry = new Registry();
  const family = new CounterFamily('c_total', 'help', ['model']);
  registry.registerMetric(family as never);
  const s = family.child('a"b\\c');
  s.value += 3;
  expect(await registry.metrics()).toContain('c_total{model="a\\"b\\\\c"} 3');
  registry.resetMetrics();
  s.value++;
  expect(await registry.metrics()).toContain('c_total{model="a\\"b\\\\c"} 1');
});
