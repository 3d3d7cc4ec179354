/**
 * The span tree of a request without injected tools (no iteration span), and a sampled-out request: no span kept, its
 * context still propagated, and without a propagator no attempt span started at all.
 */
import OpenAI from 'openai';
import { propagation, SpanKind, type Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AlwaysOffSampler, BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { openaiProvider, type TracerProviderLike } from '../../lib';
import { maskKey } from '../../lib/redaction/key-mask';
import { eventually } from '../helpers/gateway';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { parentOf, registerContextManager, spansOf, startTraceHost, type TraceHost } from '../helpers/trace-host';

const KEY = 'sk-no-tools-key-0000000000001';

let upstream: FakeUpstream;
let plain: TraceHost;
let sampledOut: TraceHost;
const droppedExporter = new InMemorySpanExporter();
const dropping = new BasicTracerProvider({ sampler: new AlwaysOffSampler(), spanProcessors: [new SimpleSpanProcessor(droppedExporter)] });
/** The names of the spans the bridge starts through `counting` (the same sampled-out provider). */
const started: string[] = [];
const counting: TracerProviderLike = {
  getTracer: (name, version) => {
    const tracer = dropping.getTracer(name, version);
    return { startSpan: (spanName, options, context) => (started.push(spanName), tracer.startSpan(spanName, options, context as Context | undefined)) };
  },
};
let counted: TraceHost;

beforeAll(async () => {
  registerContextManager();
  upstream = await startFakeOpenAI();
  plain = await startTraceHost({ providers: [openaiProvider({ baseURL: upstream.url, keys: [KEY] })] });
  sampledOut = await startTraceHost({ providers: [openaiProvider({ baseURL: upstream.url, keys: [KEY] })], tracing: { tracerProvider: dropping } }, 'off');
  counted = await startTraceHost({ providers: [openaiProvider({ baseURL: upstream.url, keys: [KEY] })], tracing: { tracerProvider: counting } }, 'off');
});

afterAll(async () => {
  propagation.disable();
  await plain.close();
  await sampledOut.close();
  await counted.close();
  await dropping.shutdown();
  await upstream.close();
});

const sdk = (host: TraceHost, name?: string) => new OpenAI({
  apiKey: 'user-token-alice', baseURL: `${host.base}/ai/openai/v1`, maxRetries: 0, defaultHeaders: name ? { 'x-test-request': name } : {},
});

/** The bridge's interception span of request `name` and every span of its trace, once it has ended. */
async function treeOf(name: string): Promise<{ root: ReadableSpan; spans: ReadableSpan[] }> {
  const traceId = plain.hostSpans.get(name)!.spanContext().traceId;
  await eventually(() => expect(spansOf(plain.exporter, traceId).map((s) => s.name)).toEqual(expect.arrayContaining([`host ${name}`, 'chat gpt-4o-mini'])));
  const spans = spansOf(plain.exporter, traceId);
  const hostSpan = spans.find((s) => s.name === `host ${name}`)!;
  const root = spans.find((s) => parentOf(s) === hostSpan.spanContext().spanId)!;
  return { root, spans };
}

const childrenOf = (spans: ReadableSpan[], parent: ReadableSpan) => spans.filter((s) => parentOf(s) === parent.spanContext().spanId);

test.each([['blocking', false], ['streamed', true]])('%s, no injected tools: the CLIENT attempt hangs from the interception, no iteration span; tokens on the interception', async (name, stream) => {
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };
  if (stream) {
    let text = '';
    for await (const c of await sdk(plain, name).chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } })) text += c.choices[0]?.delta?.content ?? '';
    expect(text).not.toBe('');
  } else {
    expect((await sdk(plain, name).chat.completions.create(body)).choices[0].message.content).toBe('Hello there!');
  }
  const { root, spans } = await treeOf(name);
  expect(root.name).toBe('chat gpt-4o-mini');
  expect(root.attributes).toMatchObject({ 'gen_ai.request.model': 'gpt-4o-mini', 'aibridge.streaming': stream, 'aibridge.client': 'openai-node', 'http.response.status_code': 200 });
  expect(root.attributes['gen_ai.usage.output_tokens']).toEqual(expect.any(Number));
  expect(spans.some((s) => s.name === 'aibridge.loop_iteration')).toBe(false);
  const attempts = childrenOf(spans, root);
  expect(attempts.map((s) => [s.name, s.kind])).toEqual([['chat gpt-4o-mini', SpanKind.CLIENT]]);
  expect(attempts[0].attributes).toMatchObject({ 'aibridge.attempt': 1, 'aibridge.credential.hint': maskKey(KEY), 'http.response.status_code': 200 });
});

test('a sampled-out request: answered as usual, no span kept, the (unsampled) trace context still sent upstream', async () => {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  upstream.requests.length = 0;
  expect((await sdk(sampledOut).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })).choices[0].message.content).toBe('Hello there!');
  const sent = upstream.requests.find((r) => r.url.endsWith('/chat/completions'))!;
  expect(sent.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  await dropping.forceFlush();
  expect(droppedExporter.getFinishedSpans()).toEqual([]);
  await eventually(() => expect(sampledOut.recorder.interceptionEnds.map((e) => e.status)).toEqual(['completed']));
});

test('a sampled-out request without a propagator: its interception span only, no attempt span (it would keep and send nothing)', async () => {
  propagation.disable();
  started.length = 0;
  upstream.requests.length = 0;
  expect((await sdk(counted).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })).choices[0].message.content).toBe('Hello there!');
  expect(upstream.requests.find((r) => r.url.endsWith('/chat/completions'))!.headers.traceparent).toBeUndefined();
  await eventually(() => expect(counted.recorder.interceptionEnds.map((e) => e.status)).toEqual(['completed']));
  expect(started).toEqual(['chat']);
});
