/** Metric labels stay bounded whatever clients send: models normalised and capped, codes in range; the metrics option is validated. */
import { Registry } from 'prom-client';
import { ModelLabels, codeLabel, normalizeModel } from '../../lib/observability/metrics/labels';
import { normalizeMetricsOptions } from '../../lib/observability/metrics/options';
import { BridgeMetrics } from '../../lib/observability/metrics/bridge-metrics';

test('model names are lower-cased, cut at 64 characters, odd characters replaced', () => {
  expect(normalizeModel('GPT-4o-Mini')).toBe('gpt-4o-mini');
  expect(normalizeModel('ft:gpt-4o:org:x')).toBe('ft:gpt-4o:org:x');
  expect(normalizeModel('claude sonnet\n{evil="1"}')).toBe('claude_sonnet_evil_1_');
  expect(normalizeModel('m'.repeat(500))).toBe('m'.repeat(64));
});

test('past maxModels distinct models, the rest are `other`; known ones keep their label; the raw-name cache is bounded', () => {
  const labels = new ModelLabels(2);
  expect(labels.label('a')).toBe('a');
  expect(labels.label('B')).toBe('b');
  expect(labels.label('c')).toBe('other');
  expect(labels.label('b')).toBe('b'); // the same label as B
  expect(labels.label(undefined)).toBe('unknown');
  for (let i = 0; i < 1000; i++) expect(labels.label(`hostile-${i}`)).toBe('other');
  expect((labels as unknown as { seen: Map<string, string> }).seen.size).toBeLessThanOrEqual(8);
});

test('HTTP codes outside 100–599 are `other`', () => {
  expect(codeLabel(200)).toBe('200');
  expect(codeLabel(499)).toBe('499');
  expect(codeLabel(99)).toBe('other');
  expect(codeLabel(600)).toBe('other');
});

test('the metrics option is validated at creation, naming the option', () => {
  expect(() => normalizeMetricsOptions('createBridge', true)).toThrow('option `metrics` must be an object');
  expect(() => normalizeMetricsOptions('createBridge', { regsitry: new Registry() })).toThrow('option `metrics.regsitry` is not a known option; did you mean `metrics.registry`?');
  expect(() => normalizeMetricsOptions('createBridge', { prefix: 'bad-prefix' })).toThrow('option `metrics.prefix` must be letters');
  expect(() => normalizeMetricsOptions('createBridge', { registry: {} })).toThrow('option `metrics.registry` must be a prom-client Registry');
  expect(() => normalizeMetricsOptions('createBridge', { maxModels: 0 })).toThrow('option `metrics.maxModels` must be a positive integer');
  expect(() => normalizeMetricsOptions('createBridge', { actorLabel: 'yes' })).toThrow('option `metrics.actorLabel` must be a boolean');
});

test('with actorLabel, interceptions carry the actor; the prefix names every metric', async () => {
  const registry = new Registry();
  const metrics = new BridgeMetrics(normalizeMetricsOptions('createBridge', { registry, prefix: 'gw_', actorLabel: true }));
  const ix = { providerName: 'openai', api: { name: 'responses' }, call: { model: 'o3' }, client: 'claude-code', actor: { id: 'alice' }, startedAt: Date.now() - 1500, firstByteAt: undefined };
  metrics.interceptionEnded(ix, 'completed');
  metrics.interceptionEnded({ ...ix, client: undefined }, 'aborted');
  const json = await registry.getMetricsAsJSON();
  expect(json.every((m) => m.name.startsWith('gw_'))).toBe(true);
  expect(json.find((m) => m.name === 'gw_interceptions_total')!.values).toEqual([
    { labels: { provider: 'openai', api: 'responses', model: 'o3', status: 'completed', client: 'claude-code', actor: 'alice' }, value: 1 },
    { labels: { provider: 'openai', api: 'responses', model: 'o3', status: 'aborted', client: 'other', actor: 'alice' }, value: 1 },
  ]);
  const duration = json.find((m) => m.name === 'gw_interception_duration_seconds')!.values as Array<{ metricName?: string; labels: Record<string, unknown>; value: number }>;
  expect(duration.find((v) => v.metricName === 'gw_interception_duration_seconds_bucket' && v.labels.le === 1)!.value).toBe(0);
  expect(duration.find((v) => v.metricName === 'gw_interception_duration_seconds_bucket' && v.labels.le === 2.5)!.value).toBe(2);
  // No first byte, no time-to-first-byte observation.
  const firstByte = json.find((m) => m.name === 'gw_interception_time_to_first_byte_seconds')!.values as Array<{ metricName?: string; value: number }>;
  expect(firstByte.filter((v) => v.metricName === 'gw_interception_time_to_first_byte_seconds_count').map((v) => v.value)).toEqual([0]);
});
