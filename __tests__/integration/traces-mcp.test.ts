/** Trace context to HTTP MCP servers: a tool call's request carries its execute_tool span only when the host registered a propagator. */
import OpenAI from 'openai';
import { propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { mcpToolInjector, openaiProvider } from '../../lib';
import { chatScript } from '../helpers/chat-script';
import { eventually } from '../helpers/gateway';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import type { McpHttpHost } from '../helpers/mcp-http-host';
import { startZooHttp, type ToolZoo } from '../helpers/mcp-test-server';
import { registerContextManager, spansOf, startTraceHost, type TraceHost } from '../helpers/trace-host';

let upstream: FakeUpstream;
let host: TraceHost;
let zoo: ToolZoo;
let mcp: McpHttpHost;

beforeAll(async () => {
  registerContextManager();
  ({ zoo, host: mcp } = await startZooHttp());
  upstream = await startFakeOpenAI();
  const tools = mcpToolInjector({ servers: [{ name: 'zoo', url: mcp.url }], allow: /^add$/ });
  host = await startTraceHost({ providers: [openaiProvider({ baseURL: upstream.url, keys: ['sk-mcp-traces-00000000000001'] })], tools });
});

afterAll(async () => {
  propagation.disable();
  await host.close();
  await upstream.close();
  await mcp.close();
});

beforeEach(() => {
  propagation.disable();
  mcp.requests.length = 0;
  zoo.state.calls.length = 0;
});

async function addThroughTheLoop(name: string): Promise<void> {
  upstream.behaviour = chatScript([{ toolCalls: [{ id: 'c1', name: 'bmcp_zoo_add', arguments: '{"a":20,"b":22}' }] }, { text: 'It is 42.' }]);
  const client = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${host.base}/ai/openai/v1`, maxRetries: 0, defaultHeaders: { 'x-test-request': name } });
  const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'add' }] });
  expect(answer.choices[0].message.content).toBe('It is 42.');
  expect(zoo.state.calls).toHaveLength(1);
}

const posts = () => mcp.requests.filter((r) => r.method === 'POST');

test('with a W3C propagator: the tool call\'s POST carries the execute_tool span as its parent', async () => {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  await addThroughTheLoop('mcp-w3c');
  const traceId = host.hostSpans.get('mcp-w3c')!.spanContext().traceId;
  await eventually(() => expect(spansOf(host.exporter, traceId).some((s) => s.name === 'execute_tool bmcp_zoo_add')).toBe(true));
  const tool = spansOf(host.exporter, traceId).find((s) => s.name === 'execute_tool bmcp_zoo_add')!;
  expect(posts().map((r) => r.headers.traceparent)).toContain(`00-${traceId}-${tool.spanContext().spanId}-01`);
  expect(posts().filter((r) => r.headers.traceparent !== undefined)).toHaveLength(1);
});

test('without a propagator: no trace header reaches the MCP server', async () => {
  await addThroughTheLoop('mcp-none');
  expect(posts().length).toBeGreaterThan(0);
  expect(posts().filter((r) => r.headers.traceparent !== undefined)).toEqual([]);
});
