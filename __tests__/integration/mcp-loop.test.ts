/** The bridge with mcpToolInjector: real MCP servers (the test zoo over Streamable HTTP, server-everything over stdio) in the loop. */
import OpenAI from 'openai';
import { mcpToolInjector, openaiProvider } from '../../lib';
import { chatScript } from '../helpers/chat-script';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';
import { startZooHttp, type ToolZoo } from '../helpers/mcp-test-server';
import type { McpHttpHost } from '../helpers/mcp-http-host';

const EVERYTHING = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
let upstream: FakeUpstream;
let gw: Gateway;
let zoo: ToolZoo;
let host: McpHttpHost;

beforeAll(async () => {
  ({ zoo, host } = await startZooHttp());
  upstream = await startFakeOpenAI();
  const tools = mcpToolInjector({
    servers: [
      { name: 'zoo', url: host.url },
      { name: 'everything', command: process.execPath, args: [EVERYTHING, 'stdio'] },
    ],
    allow: /^(add|fail|hang|image|structured|echo|get-sum)$/,
    callTimeoutMs: 500,
    maxIterations: 4,
  });
  gw = await startGateway({ providers: [openaiProvider({ baseURL: upstream.url, keys: ['sk-mcp-loop-000000000000001'] })], tools });
});

afterAll(async () => {
  await gw.close(); // closes the injector: MCP sessions and the stdio child
  await upstream.close();
  await host.close();
});

beforeEach(() => {
  gw.recorder.clear();
  zoo.state.calls.length = 0;
});

const client = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/openai/v1`, maxRetries: 0 });
const ask = (content: string) => client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });

test('the model sees the MCP tools under stable sorted names with their schemas', async () => {
  const script = chatScript([{ text: 'hi' }]);
  upstream.behaviour = script;
  await ask('hello');
  const tools = script.calls[0].json.tools as Array<{ function: { name: string; parameters: { properties?: object } } }>;
  expect(tools.map((t) => t.function.name)).toEqual([
    'bmcp_everything_echo', 'bmcp_everything_get-sum', 'bmcp_zoo_add', 'bmcp_zoo_fail', 'bmcp_zoo_hang', 'bmcp_zoo_image', 'bmcp_zoo_structured',
  ]);
  expect(tools.find((t) => t.function.name === 'bmcp_zoo_add')!.function.parameters.properties).toMatchObject({ a: { type: 'number' }, b: { type: 'number' } });
});

test('streamed: an MCP call over Streamable HTTP and one over stdio, results fed back, usage summed', async () => {
  const script = chatScript([
    { toolCalls: [{ id: 'c1', name: 'bmcp_zoo_add', arguments: '{"a":20,"b":22}' }] },
    { toolCalls: [{ id: 'c2', name: 'bmcp_everything_echo', arguments: '{"message":"ping"}' }] },
    { text: 'The answer is 42.' },
  ]);
  upstream.behaviour = script;
  const stream = client().chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'add' }], stream_options: { include_usage: true } });
  const final = await stream.finalChatCompletion();
  expect(final.choices[0].message.content).toBe('The answer is 42.');
  expect(final.usage?.total_tokens).toBe(45);
  const toolMessages = script.calls[2].json.messages.filter((m: { role: string }) => m.role === 'tool');
  expect(toolMessages[0]).toEqual({ role: 'tool', tool_call_id: 'c1', content: '42' });
  expect(toolMessages[1].content).toContain('ping');
  expect(zoo.state.calls).toEqual(['add']);
  await eventually(() => expect(gw.recorder.toolUsages).toHaveLength(2));
  expect(gw.recorder.toolUsages.map((t) => [t.tool, t.injected, t.serverUrl])).toEqual([
    ['bmcp_zoo_add', true, host.url],
    ['bmcp_everything_echo', true, expect.stringMatching(/^stdio:/)],
  ]);
});

test('tool errors, images and structured content reach the model as text it can read', async () => {
  const script = chatScript([
    { toolCalls: [{ id: 'c1', name: 'bmcp_zoo_fail', arguments: '{}' }] },
    { toolCalls: [{ id: 'c2', name: 'bmcp_zoo_image', arguments: '{}' }] },
    { toolCalls: [{ id: 'c3', name: 'bmcp_zoo_structured', arguments: '{}' }] },
    { text: 'done' },
  ]);
  upstream.behaviour = script;
  await ask('go');
  const contents = script.calls[3].json.messages.filter((m: { role: string }) => m.role === 'tool').map((m: { content: string }) => m.content);
  expect(contents[0]).toBe('Error: it failed on purpose');
  expect(contents[1]).toBe('[image: image/png]');
  expect(contents[2]).toBe('{"value":42}');
  await eventually(() => expect(gw.recorder.toolUsages).toHaveLength(3));
  expect(gw.recorder.toolUsages[0].invocationError).toBe('it failed on purpose');
});

test('a hanging tool times out: the model gets an error text and the server is told to cancel', async () => {
  const before = zoo.state.cancelled;
  const script = chatScript([{ toolCalls: [{ id: 'c1', name: 'bmcp_zoo_hang', arguments: '{}' }] }, { text: 'gave up' }]);
  upstream.behaviour = script;
  const answer = await ask('hang');
  expect(answer.choices[0].message.content).toBe('gave up');
  const tool = script.calls[1].json.messages.find((m: { role: string }) => m.role === 'tool');
  expect(tool.content).toMatch(/^Error: .*timed out after 500 ms/);
  await eventually(() => expect(zoo.state.cancelled).toBe(before + 1));
});

test('a client that leaves during an MCP call cancels it on the server; the interception ends aborted', async () => {
  const before = zoo.state.cancelled;
  upstream.behaviour = chatScript([{ toolCalls: [{ id: 'c1', name: 'bmcp_zoo_hang', arguments: '{}' }] }, { text: 'never' }]);
  const controller = new AbortController();
  const pending = client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hang' }] }, { signal: controller.signal });
  await eventually(() => expect(zoo.state.calls).toContain('hang'));
  controller.abort();
  await expect(pending).rejects.toThrow();
  await eventually(() => expect(zoo.state.cancelled).toBe(before + 1));
  await eventually(() => expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'aborted' }));
});
