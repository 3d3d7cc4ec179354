/** Trace context going upstream: the bridge's only through a propagator the host registered, a client's own never. */
import OpenAI from 'openai';
import { propagation } from '@opentelemetry/api';
import { W3CBaggagePropagator, W3CTraceContextPropagator, CompositePropagator } from '@opentelemetry/core';
import { openaiProvider } from '../../lib';
import { eventually } from '../helpers/gateway';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { registerContextManager, spansOf, startTraceHost, type TraceHost } from '../helpers/trace-host';

const CLIENT_TRACE_ID = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const CLIENT_HEADERS = {
  traceparent: `00-${CLIENT_TRACE_ID}-00f067aa0ba902b7-01`,
  tracestate: 'client=private-state',
  baggage: 'user.secret=client-baggage',
};
const TRACE_HEADERS = ['traceparent', 'tracestate', 'baggage'];

let upstream: FakeUpstream;
let traced: TraceHost;
let untraced: TraceHost;

beforeAll(async () => {
  registerContextManager();
  upstream = await startFakeOpenAI();
  const providers = [openaiProvider({ baseURL: upstream.url, keys: ['sk-propagation-key-00000000001'] })];
  traced = await startTraceHost({ providers });
  untraced = await startTraceHost({ providers: [openaiProvider({ baseURL: upstream.url, keys: ['sk-propagation-key-00000000001'] })] }, 'off');
});

afterAll(async () => {
  propagation.disable();
  await traced.close();
  await untraced.close();
  await upstream.close();
});

beforeEach(() => {
  upstream.requests.length = 0;
  propagation.disable();
});

const sdk = (host: TraceHost, name: string) => new OpenAI({
  apiKey: 'user-token-alice', baseURL: `${host.base}/ai/openai/v1`, maxRetries: 0, defaultHeaders: { 'x-test-request': name, ...CLIENT_HEADERS },
});

/** A chat request and a passthrough request through `host`; returns what the upstream received of each. */
async function both(host: TraceHost, name: string) {
  await sdk(host, name).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  await sdk(host, `${name}-models`).models.list();
  const chat = upstream.requests.find((r) => r.url.endsWith('/chat/completions'))!;
  const models = upstream.requests.find((r) => r.url.endsWith('/models'))!;
  return { chat: chat.headers, models: models.headers };
}

const traceHeaders = (headers: Record<string, unknown>) => TRACE_HEADERS.filter((h) => headers[h] !== undefined);

test('no propagator registered: nothing goes up, not even the client\'s own trace headers', async () => {
  const { chat, models } = await both(traced, 'none');
  expect(traceHeaders(chat)).toEqual([]);
  expect(traceHeaders(models)).toEqual([]);
});

test('with a W3C propagator: the upstream gets the attempt span as its parent, in the host\'s trace; never the client\'s context', async () => {
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  const { chat, models } = await both(traced, 'w3c');
  const hostTrace = traced.hostSpans.get('w3c')!.spanContext().traceId;
  await eventually(() => expect(spansOf(traced.exporter, hostTrace).some((s) => s.name === 'chat gpt-4o-mini' && s.kind === 2)).toBe(true));
  const attempt = spansOf(traced.exporter, hostTrace).find((s) => s.name === 'chat gpt-4o-mini' && s.kind === 2)!;
  expect(chat.traceparent).toBe(`00-${hostTrace}-${attempt.spanContext().spanId}-01`);
  expect(chat.tracestate).toBeUndefined();
  expect(chat.baggage).toBeUndefined();

  const modelsTrace = traced.hostSpans.get('w3c-models')!.spanContext().traceId;
  await eventually(() => expect(spansOf(traced.exporter, modelsTrace).some((s) => s.name === 'GET /v1/models')).toBe(true));
  const passthrough = spansOf(traced.exporter, modelsTrace).find((s) => s.name === 'GET /v1/models')!;
  expect(models.traceparent).toBe(`00-${modelsTrace}-${passthrough.spanContext().spanId}-01`);
  for (const headers of [chat, models]) expect(JSON.stringify(headers)).not.toMatch(/c0ffee00|private-state|client-baggage/);
});

test('a propagator registered but tracing off: nothing goes up, and the client\'s trace headers are still dropped', async () => {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const { chat, models } = await both(untraced, 'off');
  expect(traceHeaders(chat)).toEqual([]);
  expect(traceHeaders(models)).toEqual([]);
  expect(untraced.exporter.getFinishedSpans().map((s) => s.name)).toEqual(['host off', 'host off-models']);
});
