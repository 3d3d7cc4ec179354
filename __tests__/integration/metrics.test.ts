/** Prometheus metrics end to end: a real registry scraped over HTTP after blocking, streaming, failover, tool-loop and passthrough requests. */
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { Registry } from 'prom-client';
import winston from 'winston';
import { createBridge, metricsHandler, MemoryRecorder, openaiProvider, type Bridge, type ToolServerHealth } from '../../lib';
import { chatScript } from '../helpers/chat-script';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { eventually, testActor } from '../helpers/gateway';
import { bearer, keyedUpstream } from '../helpers/keyed-upstream';
import { parsePromText, samplesOf, valueOf, type Scrape } from '../helpers/prom-text';
import { TEST_TOOLS, TestInjector } from '../helpers/test-injector';

const K1 = 'sk-metrics-key-00000000000001';
const K2 = 'sk-metrics-key-00000000000002';

/** The test tools, named by server and tool as MCP tools are, and a server health report. */
class ReportingInjector extends TestInjector {
  override tools = TEST_TOOLS.map((t) => ({ ...t, serverToolName: t.name.replace('bmcp_calc_', '') }));
  status(): { servers: ToolServerHealth[] } {
    return { servers: [{ name: 'calc', state: 'ready' }, { name: 'search', state: 'failed' }] };
  }
}

let upstream: FakeUpstream;
let server: http.Server;
let base: string;
let bridge: Bridge;
const registry = new Registry();
const recorder = new MemoryRecorder();

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  bridge = createBridge({
    providers: [openaiProvider({ baseURL: upstream.url, keys: [K1, K2] })], actor: testActor, recorder,
    logger: winston.createLogger({ silent: true }), tools: new ReportingInjector(3), metrics: { registry },
  });
  const app = express();
  app.use('/ai', bridge);
  app.get('/metrics', metricsHandler(registry));
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await bridge.close();
  await upstream.close();
});

beforeEach(() => {
  upstream.behaviour = undefined;
});

const sdk = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${base}/ai/openai/v1`, maxRetries: 0 });
const ask = (extra: Record<string, unknown> = {}) =>
  sdk().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...extra } as never) as unknown as Promise<OpenAI.ChatCompletion>;

async function scrape(): Promise<Scrape> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe(registry.contentType);
  return parsePromText(await res.text());
}

const CHAT = { provider: 'openai', api: 'chat-completions', model: 'gpt-4o-mini' };
const ended = (status: string) => ({ ...CHAT, status, client: 'openai-node' });
const P = 'aibridge_';

/** Tokens the recorder saw, summed by type, to compare with the counters. */
function recordedTokens() {
  const sum = { input: 0, output: 0, cache_read: 0 };
  for (const u of recorder.tokenUsages) {
    sum.input += u.input;
    sum.output += u.output;
    sum.cache_read += u.cacheRead;
  }
  return sum;
}

test('a blocking request: interception, timings, tokens by type, attempts; key, tool server and recorder state read at scrape', async () => {
  const answer = await ask();
  expect(answer.choices[0].message.content).toBe('Hello there!');
  await eventually(() => expect(recorder.interceptionEnds).toHaveLength(1));
  const s = await scrape();
  for (const [name, type] of Object.entries({
    interceptions_total: 'counter', interception_duration_seconds: 'histogram', interception_time_to_first_byte_seconds: 'histogram',
    tokens_total: 'counter', injected_tool_calls_total: 'counter', client_tool_calls_total: 'counter', passthrough_requests_total: 'counter',
    upstream_attempts_total: 'counter', upstream_failovers_total: 'counter', key_cooldowns_total: 'counter', key_pool_exhaustions_total: 'counter',
    keys: 'gauge', requests_in_flight: 'gauge', recorder_queue_depth: 'gauge', recorder_queue_bytes: 'gauge', recorder_dropped_total: 'counter',
    recorder_call_duration_seconds: 'histogram', tool_server_up: 'gauge',
  })) expect([name, s.types.get(P + name)]).toEqual([name, type]);

  expect(samplesOf(s, `${P}interceptions_total`)).toEqual([{ name: `${P}interceptions_total`, labels: ended('completed'), value: 1 }]);
  expect(valueOf(s, `${P}interception_duration_seconds_count`, CHAT)).toBe(1);
  expect(valueOf(s, `${P}interception_duration_seconds_bucket`, { ...CHAT, le: '+Inf' })).toBe(1);
  expect(valueOf(s, `${P}interception_time_to_first_byte_seconds_count`, CHAT)).toBe(1);
  expect(valueOf(s, `${P}interception_duration_seconds_sum`, CHAT)).toBeGreaterThanOrEqual(valueOf(s, `${P}interception_time_to_first_byte_seconds_sum`, CHAT)!);
  // The recorded answer: 12 prompt tokens of which 2 cached, 5 completion tokens of which 1 reasoning.
  expect(valueOf(s, `${P}tokens_total`, { ...CHAT, type: 'input' })).toBe(10);
  expect(valueOf(s, `${P}tokens_total`, { ...CHAT, type: 'cache_read' })).toBe(2);
  expect(valueOf(s, `${P}tokens_total`, { ...CHAT, type: 'output' })).toBe(5);
  expect(valueOf(s, `${P}tokens_total`, { ...CHAT, type: 'reasoning' })).toBe(1);
  expect(valueOf(s, `${P}upstream_attempts_total`, { provider: 'openai' })).toBe(1);
  expect(valueOf(s, `${P}upstream_failovers_total`, { provider: 'openai' })).toBe(0);
  expect(valueOf(s, `${P}keys`, { provider: 'openai', state: 'healthy' })).toBe(2);
  expect(valueOf(s, `${P}keys`, { provider: 'openai', state: 'cooling' })).toBe(0);
  expect(valueOf(s, `${P}requests_in_flight`)).toBe(0);
  expect(valueOf(s, `${P}tool_server_up`, { server: 'calc' })).toBe(1);
  expect(valueOf(s, `${P}tool_server_up`, { server: 'search' })).toBe(0);
  expect(valueOf(s, `${P}recorder_queue_depth`)).toBe(0);
  expect(valueOf(s, `${P}recorder_dropped_total`)).toBe(0);
  // Start, prompt, token usage and end: each recorder call is timed.
  expect(valueOf(s, `${P}recorder_call_duration_seconds_count`)).toBeGreaterThanOrEqual(4);

  const json = await registry.getMetricsAsJSON();
  expect(json.find((m) => m.name === `${P}interceptions_total`)).toMatchObject({ type: 'counter', values: [{ labels: ended('completed'), value: 1 }] });
});

test('a streaming request adds to the same series; its tokens come from the stream', async () => {
  const stream = await sdk().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  expect(text).not.toBe('');
  await eventually(() => expect(recorder.interceptionEnds).toHaveLength(2));
  await eventually(() => expect(recorder.tokenUsages).toHaveLength(2));
  const s = await scrape();
  expect(valueOf(s, `${P}interceptions_total`, ended('completed'))).toBe(2);
  expect(valueOf(s, `${P}interception_time_to_first_byte_seconds_count`, CHAT)).toBe(2);
  const recorded = recordedTokens();
  expect(recorded.input).toBeGreaterThan(10);
  for (const type of ['input', 'output', 'cache_read'] as const) expect([type, valueOf(s, `${P}tokens_total`, { ...CHAT, type })]).toEqual([type, recorded[type]]);
});

test('a failover: two attempts, one failover, one key cooling for 401', async () => {
  upstream.behaviour = keyedUpstream({ [bearer(K1)]: { status: 401 } });
  await ask();
  await eventually(() => expect(recorder.interceptionEnds).toHaveLength(3));
  const s = await scrape();
  expect(valueOf(s, `${P}interceptions_total`, ended('completed'))).toBe(3);
  expect(valueOf(s, `${P}upstream_attempts_total`, { provider: 'openai' })).toBe(4);
  expect(valueOf(s, `${P}upstream_failovers_total`, { provider: 'openai' })).toBe(1);
  expect(samplesOf(s, `${P}key_cooldowns_total`)).toEqual([{ name: `${P}key_cooldowns_total`, labels: { provider: 'openai', reason: 'unauthorized' }, value: 1 }]);
  expect(valueOf(s, `${P}keys`, { provider: 'openai', state: 'healthy' })).toBe(1);
  expect(valueOf(s, `${P}keys`, { provider: 'openai', state: 'cooling' })).toBe(1);
  expect(s.samples.some((x) => Object.values(x.labels).some((v) => v.includes('sk-')))).toBe(false);
});

test('a tool loop: injected calls by server, tool and outcome; a client tool the model selected', async () => {
  upstream.behaviour = chatScript([
    { toolCalls: [{ id: 'c1', name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' }] },
    { toolCalls: [{ id: 'c2', name: 'bmcp_calc_fail', arguments: '{}' }] },
    { text: 'It is 5.' },
  ]);
  expect((await ask()).choices[0].message.content).toBe('It is 5.');
  upstream.behaviour = chatScript([{ toolCalls: [{ id: 'c3', name: 'client_lookup', arguments: '{}' }] }]);
  const clientTools = [{ type: 'function', function: { name: 'client_lookup', parameters: { type: 'object' } } }];
  expect((await ask({ tools: clientTools })).choices[0].message.tool_calls?.[0]).toMatchObject({ function: { name: 'client_lookup' } });
  await eventually(() => expect(recorder.interceptionEnds).toHaveLength(5));
  const s = await scrape();
  expect(samplesOf(s, `${P}injected_tool_calls_total`).map((x) => [x.labels, x.value])).toEqual([
    [{ server: 'calc', tool: 'add', outcome: 'ok' }, 1],
    [{ server: 'calc', tool: 'fail', outcome: 'error' }, 1],
  ]);
  expect(samplesOf(s, `${P}client_tool_calls_total`).map((x) => [x.labels, x.value])).toEqual([[{ provider: 'openai', api: 'chat-completions' }, 1]]);
  expect(valueOf(s, `${P}interceptions_total`, ended('completed'))).toBe(5);
  // Three upstream calls for the loop, one for the client tool's turn.
  expect(valueOf(s, `${P}upstream_attempts_total`, { provider: 'openai' })).toBe(8);
});

test('a passthrough request is counted by its route pattern, never its raw path', async () => {
  expect((await sdk().models.retrieve('gpt-4o-mini')).id).toBe('gpt-4o-mini');
  const res = await fetch(`${base}/ai/openai/v1/models`, { headers: { 'x-user-token': 'user-token-bob' } });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  // The passthrough series are counted when each response closes, just after the client read it.
  let s = await scrape();
  for (let i = 0; i < 100 && samplesOf(s, `${P}passthrough_requests_total`).length < 2; i++) {
    await new Promise((r) => setTimeout(r, 10));
    s = await scrape();
  }
  expect(samplesOf(s, `${P}passthrough_requests_total`).map((x) => [x.labels, x.value])).toEqual([
    [{ provider: 'openai', route: '/v1/models/:id', method: 'GET', code: '200' }, 1],
    [{ provider: 'openai', route: '/v1/models', method: 'GET', code: '200' }, 1],
  ]);
  expect(valueOf(s, `${P}passthrough_duration_seconds_count`, { provider: 'openai', route: '/v1/models/:id' })).toBe(1);
  // Passthrough requests are not interceptions.
  expect(samplesOf(s, `${P}interceptions_total`).reduce((n, x) => n + x.value, 0)).toBe(5);
});

test('every key refused: the pool is exhausted, the interception fails, both keys cool', async () => {
  upstream.behaviour = keyedUpstream({ [bearer(K2)]: { status: 401 } });
  await expect(ask()).rejects.toMatchObject({ status: 502 });
  await eventually(() => expect(recorder.interceptionEnds).toHaveLength(6));
  const s = await scrape();
  expect(valueOf(s, `${P}interceptions_total`, ended('failed'))).toBe(1);
  expect(valueOf(s, `${P}key_pool_exhaustions_total`, { provider: 'openai' })).toBe(1);
  expect(valueOf(s, `${P}key_cooldowns_total`, { provider: 'openai', reason: 'unauthorized' })).toBe(2);
  expect(valueOf(s, `${P}keys`, { provider: 'openai', state: 'cooling' })).toBe(2);
});
