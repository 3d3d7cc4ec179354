/** OpenTelemetry traces end to end: the span tree, names, attributes and status of a blocking, a streaming, a failover, a tool-loop and a passthrough request, under the host's span. */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { anthropicProvider, openaiProvider } from '../../lib';
import { maskKey } from '../../lib/redaction/key-mask';
import { chatScript } from '../helpers/chat-script';
import { eventually } from '../helpers/gateway';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { bearer, keyedUpstream } from '../helpers/keyed-upstream';
import { TestInjector } from '../helpers/test-injector';
import { parentOf, registerContextManager, spansOf, startTraceHost, type TraceHost } from '../helpers/trace-host';

const K1 = 'sk-traces-key-000000000000001';
const K2 = 'sk-traces-key-000000000000002';
const KA = 'sk-ant-traces-key-00000000001';

let upstream: FakeUpstream;
let host: TraceHost;

beforeAll(async () => {
  registerContextManager();
  upstream = await startFakeOpenAI();
  host = await startTraceHost({
    providers: [openaiProvider({ baseURL: upstream.url, keys: [K1, K2] }), anthropicProvider({ baseURL: upstream.url.replace(/\/v1$/, ''), keys: [KA] })],
    tools: new TestInjector(3),
  });
});

afterAll(async () => {
  await host.close();
  await upstream.close();
});

beforeEach(() => {
  upstream.behaviour = undefined;
});

const sdk = (name?: string) => new OpenAI({
  apiKey: 'user-token-alice', baseURL: `${host.base}/ai/openai/v1`, maxRetries: 0, defaultHeaders: name ? { 'x-test-request': name } : {},
});
const ask = (name: string, extra: Record<string, unknown> = {}) =>
  sdk(name).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...extra } as never) as unknown as Promise<OpenAI.ChatCompletion>;

/** The finished spans under the host span of request `name`, once its root span (the bridge's) has ended. */
async function treeOf(name: string, rootName = 'chat gpt-4o-mini'): Promise<{ host: ReadableSpan; root: ReadableSpan; spans: ReadableSpan[] }> {
  const hostSpan = host.hostSpans.get(name)!;
  expect(hostSpan).toBeDefined();
  const traceId = hostSpan.spanContext().traceId;
  await eventually(() => expect(spansOf(host.exporter, traceId).map((s) => s.name)).toEqual(expect.arrayContaining([`host ${name}`, rootName])));
  const spans = spansOf(host.exporter, traceId);
  const hostFinished = spans.find((s) => s.name === `host ${name}`)!;
  const root = spans.find((s) => s.name === rootName && parentOf(s) === hostFinished.spanContext().spanId)!;
  expect(root).toBeDefined();
  return { host: hostFinished, root, spans };
}

const childrenOf = (spans: ReadableSpan[], parent: ReadableSpan) => spans.filter((s) => parentOf(s) === parent.spanContext().spanId);

/** No span name, attribute value or status message holds a pool key or the client's token. */
function expectNoSecrets(spans: ReadableSpan[]): void {
  const text = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.status]));
  for (const secret of [K1, K2, KA, 'user-token-alice']) expect(text).not.toContain(secret);
}

test('a blocking request: the interception under the host span, one iteration, one CLIENT attempt; GenAI and bridge attributes', async () => {
  const answer = await ask('blocking');
  expect(answer.choices[0].message.content).toBe('Hello there!');
  const { root, spans } = await treeOf('blocking');
  expect(root.kind).toBe(SpanKind.INTERNAL);
  expect(root.status.code).toBe(SpanStatusCode.UNSET);
  expect(root.instrumentationScope.name).toBe('express-aibridge');
  const recorded = host.recorder.interceptions.at(-1)!;
  expect(root.attributes).toMatchObject({
    'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
    // 12 prompt tokens of which 2 cached: input_tokens counts them all.
    'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 5, 'gen_ai.usage.cache_read.input_tokens': 2,
    'aibridge.interception.id': recorded.id, 'aibridge.actor.id': 'alice', 'aibridge.provider': 'openai', 'aibridge.api': 'chat-completions',
    'aibridge.streaming': false, 'aibridge.client': 'openai-node', 'aibridge.credential.kind': 'centralized', 'http.response.status_code': 200,
  });
  const [iteration] = childrenOf(spans, root);
  expect(childrenOf(spans, root).map((s) => s.name)).toEqual(['aibridge.loop_iteration']);
  expect(iteration.attributes).toMatchObject({ 'aibridge.loop.iteration': 0, 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 5 });
  const attempts = childrenOf(spans, iteration);
  expect(attempts.map((s) => [s.name, s.kind])).toEqual([['chat gpt-4o-mini', SpanKind.CLIENT]]);
  expect(attempts[0].attributes).toMatchObject({
    'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'aibridge.attempt': 1, 'aibridge.credential.hint': maskKey(K1), 'http.response.status_code': 200,
  });
  expectNoSecrets(spans);
});

test('a streaming request: streaming attribute, tokens read from the stream', async () => {
  const stream = await sdk('streaming').chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  expect(text).not.toBe('');
  const { root, spans } = await treeOf('streaming');
  expect(root.status.code).toBe(SpanStatusCode.UNSET);
  expect(root.attributes['aibridge.streaming']).toBe(true);
  const usage = host.recorder.tokenUsages.at(-1)!;
  expect(root.attributes['gen_ai.usage.output_tokens']).toBe(usage.output);
  expect(root.attributes['gen_ai.usage.input_tokens']).toBe(usage.input + usage.cacheRead + usage.cacheWrite);
  const [iteration] = childrenOf(spans, root);
  expect(childrenOf(spans, iteration).map((s) => [s.name, s.kind, s.attributes['http.response.status_code']])).toEqual([['chat gpt-4o-mini', SpanKind.CLIENT, 200]]);
  expectNoSecrets(spans);
});

test('an Anthropic streamed message: the same tree, provider anthropic, tokens from the stream', async () => {
  const client = new Anthropic({ authToken: 'user-token-alice', baseURL: `${host.base}/ai/anthropic`, maxRetries: 0, defaultHeaders: { 'x-test-request': 'anthropic' } });
  const stream = client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
  const message = await stream.finalMessage();
  const { root, spans } = await treeOf('anthropic', 'chat claude-sonnet-4-5');
  expect(root.attributes).toMatchObject({
    'gen_ai.provider.name': 'anthropic', 'aibridge.provider': 'anthropic', 'aibridge.api': 'messages', 'aibridge.streaming': true,
    'gen_ai.usage.output_tokens': message.usage.output_tokens,
  });
  const [iteration] = childrenOf(spans, root);
  expect(childrenOf(spans, iteration).map((s) => [s.name, s.kind, s.attributes['aibridge.credential.hint']])).toEqual([['chat claude-sonnet-4-5', SpanKind.CLIENT, maskKey(KA)]]);
  expectNoSecrets(spans);
});

test('a tool loop: an iteration per model call, an execute_tool span per injected call, tokens summed on the interception', async () => {
  upstream.behaviour = chatScript([
    { toolCalls: [{ id: 'call_1', name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' }], usage: { prompt_tokens: 20, completion_tokens: 7 } },
    { toolCalls: [{ id: 'call_2', name: 'bmcp_calc_fail', arguments: '{}' }], usage: { prompt_tokens: 30, completion_tokens: 3 } },
    { text: 'It is 5.', usage: { prompt_tokens: 40, completion_tokens: 4 } },
  ]);
  expect((await ask('tool-loop')).choices[0].message.content).toBe('It is 5.');
  const { root, spans } = await treeOf('tool-loop');
  expect(root.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 90, 'gen_ai.usage.output_tokens': 14 });
  expect(root.status.code).toBe(SpanStatusCode.UNSET);
  const iterations = childrenOf(spans, root).sort((a, b) => Number(a.attributes['aibridge.loop.iteration']) - Number(b.attributes['aibridge.loop.iteration']));
  expect(iterations.map((s) => [s.name, s.attributes['aibridge.loop.iteration'], s.attributes['gen_ai.usage.input_tokens']])).toEqual([
    ['aibridge.loop_iteration', 0, 20], ['aibridge.loop_iteration', 1, 30], ['aibridge.loop_iteration', 2, 40],
  ]);
  const below = iterations.map((it) => childrenOf(spans, it).map((s) => s.name).sort());
  expect(below).toEqual([['chat gpt-4o-mini', 'execute_tool bmcp_calc_add'], ['chat gpt-4o-mini', 'execute_tool bmcp_calc_fail'], ['chat gpt-4o-mini']]);
  const add = spans.find((s) => s.name === 'execute_tool bmcp_calc_add')!;
  expect(add.kind).toBe(SpanKind.INTERNAL);
  expect(add.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'bmcp_calc_add', 'gen_ai.tool.call.id': 'call_1', 'aibridge.tool.server': 'calc' });
  expect(add.status.code).toBe(SpanStatusCode.UNSET);
  const fail = spans.find((s) => s.name === 'execute_tool bmcp_calc_fail')!;
  expect(fail.status.code).toBe(SpanStatusCode.ERROR);
  expect(fail.attributes['error.type']).toBe('tool_error');
  expectNoSecrets(spans);
});

test('a passthrough request: one span named by method and allowlisted route under the host span', async () => {
  expect((await sdk('passthrough').models.retrieve('gpt-4o-mini')).id).toBe('gpt-4o-mini');
  const { root, spans } = await treeOf('passthrough', 'GET /v1/models/:id');
  expect(root.kind).toBe(SpanKind.INTERNAL);
  expect(root.status.code).toBe(SpanStatusCode.UNSET);
  expect(root.attributes).toMatchObject({
    'http.request.method': 'GET', 'http.route': '/v1/models/:id', 'http.response.status_code': 200, 'aibridge.attempts': 1,
    'aibridge.credential.hint': maskKey(K1), 'aibridge.actor.id': 'alice', 'aibridge.provider': 'openai',
  });
  expect(childrenOf(spans, root)).toEqual([]);
  expectNoSecrets(spans);
});

test('a request without a host span: the interception is a SERVER root span', async () => {
  const before = host.exporter.getFinishedSpans().length;
  await ask('');
  await eventually(() => expect(host.exporter.getFinishedSpans().some((s, i) => i >= before && s.name === 'chat gpt-4o-mini' && s.kind === SpanKind.SERVER)).toBe(true));
  const root = host.exporter.getFinishedSpans().find((s, i) => i >= before && s.kind === SpanKind.SERVER)!;
  expect(parentOf(root)).toBeUndefined();
});

test('a failover: two CLIENT attempts under one iteration, the first 401 in error with its key hint, the interception fine', async () => {
  upstream.behaviour = keyedUpstream({ [bearer(K1)]: { status: 401, body: { error: { message: `bad key ${K1}`, type: 'invalid_request_error', code: 'invalid_api_key' } } } });
  await ask('failover');
  const { root, spans } = await treeOf('failover');
  expect(root.status.code).toBe(SpanStatusCode.UNSET);
  const [iteration] = childrenOf(spans, root);
  const attempts = childrenOf(spans, iteration).sort((a, b) => Number(a.attributes['aibridge.attempt']) - Number(b.attributes['aibridge.attempt']));
  expect(attempts.map((s) => [s.attributes['aibridge.attempt'], s.attributes['aibridge.credential.hint'], s.attributes['http.response.status_code'], s.status.code])).toEqual([
    [1, maskKey(K1), 401, SpanStatusCode.ERROR], [2, maskKey(K2), 200, SpanStatusCode.UNSET],
  ]);
  expect(attempts[0].attributes['error.type']).toBe('401');
  expectNoSecrets(spans);
});

test('every key refused: the interception ends in ERROR with its error type, and no key in its status message', async () => {
  upstream.behaviour = keyedUpstream({ [bearer(K2)]: { status: 401, body: { error: { message: `bad key ${K2}`, type: 'invalid_request_error', code: 'invalid_api_key' } } } });
  await expect(ask('exhausted')).rejects.toMatchObject({ status: 502 });
  const { root, spans } = await treeOf('exhausted');
  expect(root.status.code).toBe(SpanStatusCode.ERROR);
  expect(root.status.message).toMatch(/^server_error/);
  expect(root.attributes['http.response.status_code']).toBe(502);
  expect(root.attributes['error.type']).toEqual(expect.any(String));
  expectNoSecrets(spans);
});
