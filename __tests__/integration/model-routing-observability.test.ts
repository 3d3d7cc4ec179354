/** Spans and metrics of a routed request that falls back: each names the provider tried, and the route it came through. */
import OpenAI from 'openai';
import { SpanStatusCode } from '@opentelemetry/api';
import { Registry } from 'prom-client';
import { openaiProvider } from '../../lib';
import { eventually } from '../helpers/gateway';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { parsePromText } from '../helpers/prom-text';
import { registerContextManager, spansOf, startTraceHost, type TraceHost } from '../helpers/trace-host';

let a: FakeUpstream;
let b: FakeUpstream;
let host: TraceHost;
const registry = new Registry();

beforeAll(async () => {
  registerContextManager();
  a = await startFakeOpenAI((req, res) => {
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '60' });
    res.end(JSON.stringify({ error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } }));
  });
  b = await startFakeOpenAI();
  host = await startTraceHost({
    providers: [openaiProvider({ baseURL: a.url, keys: ['sk-route-obs-a-1111'] }), openaiProvider({ name: 'openai-b', baseURL: b.url, keys: ['sk-route-obs-b-2222'] })],
    routes: [{ name: 'auto', rules: [{ model: 'gpt-*', providers: ['openai', 'openai-b'] }] }],
    metrics: { registry },
  });
});

afterAll(async () => {
  await host.close();
  await a.close();
  await b.close();
});

it('gives each provider tried its own span, named after it and the route, and counts each under its provider', async () => {
  const client = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${host.base}/ai/auto/v1`, maxRetries: 0, defaultHeaders: { 'x-test-request': 'routed' } });
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  const traceId = host.hostSpans.get('routed')!.spanContext().traceId;
  await eventually(() => expect(spansOf(host.exporter, traceId).filter((s) => s.name === 'chat gpt-4o-mini' && s.attributes['aibridge.interception.id'] !== undefined)).toHaveLength(2));
  const roots = spansOf(host.exporter, traceId).filter((s) => s.name === 'chat gpt-4o-mini' && s.attributes['aibridge.interception.id'] !== undefined);
  const byProvider = new Map(roots.map((s) => [s.attributes['aibridge.provider'], s]));
  expect(byProvider.get('openai')!.attributes).toMatchObject({ 'aibridge.route': 'auto', 'gen_ai.provider.name': 'openai', 'error.type': 'rate_limit_exceeded' });
  expect(byProvider.get('openai')!.status.code).toBe(SpanStatusCode.ERROR);
  expect(byProvider.get('openai-b')!.attributes).toMatchObject({ 'aibridge.route': 'auto', 'http.response.status_code': 200 });
  expect(byProvider.get('openai-b')!.status.code).not.toBe(SpanStatusCode.ERROR);

  const samples = parsePromText(await registry.metrics()).samples.filter((s) => s.name.endsWith('interceptions_total'));
  expect(samples.find((s) => s.labels.provider === 'openai-b' && s.labels.status === 'completed')?.value).toBe(1);
  expect(samples.find((s) => s.labels.provider === 'openai' && s.labels.status === 'failed')?.value).toBe(1);
});
