/** Model routes with an injected MCP tool: the inner loop runs on the provider the route chose (after a fallback too), and `guard` sees the route. */
import OpenAI from 'openai';
import { mcpToolInjector, openaiProvider } from '../../lib';
import type { GuardContext } from '../../lib/pipeline/guard';
import { chatScript } from '../helpers/chat-script';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';
import { startZooHttp, type ToolZoo } from '../helpers/mcp-test-server';
import type { McpHttpHost } from '../helpers/mcp-http-host';

let a: FakeUpstream;
let b: FakeUpstream;
let gw: Gateway;
let zoo: ToolZoo;
let host: McpHttpHost;
const guarded: Array<{ providerName: string; routedBy: string | undefined; tools: number }> = [];

beforeAll(async () => {
  ({ zoo, host } = await startZooHttp());
  a = await startFakeOpenAI();
  b = await startFakeOpenAI();
  gw = await startGateway({
    providers: [
      openaiProvider({ keys: ['sk-route-tools-a-1111'], baseURL: a.url }),
      openaiProvider({ name: 'openai-b', keys: ['sk-route-tools-b-2222'], baseURL: b.url }),
      openaiProvider({ name: 'down', keys: ['sk-route-tools-down-3333'], baseURL: 'http://127.0.0.1:1/v1' }),
    ],
    routes: [
      { name: 'auto', rules: [{ model: 'gpt-*', providers: ['openai', 'openai-b'] }] },
      { name: 'resilient', rules: [{ model: '*', providers: ['down', 'openai-b'] }] },
    ],
    tools: mcpToolInjector({ servers: [{ name: 'zoo', url: host.url }], allow: /^add$/ }),
    guard: ({ interception, request }: GuardContext) => {
      guarded.push({ providerName: interception.providerName, routedBy: interception.routedBy, tools: Array.isArray(request.json.tools) ? request.json.tools.length : 0 });
      return true;
    },
  });
});
afterAll(async () => {
  await gw.close();
  await a.close();
  await b.close();
  await host.close();
});
beforeEach(() => {
  for (const u of [a, b]) {
    u.requests.length = 0;
    u.behaviour = undefined;
  }
  gw.recorder.clear();
  zoo.state.calls.length = 0;
  guarded.length = 0;
});

const client = (route: string) => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/${route}/v1`, maxRetries: 0 });
const ADD = [{ toolCalls: [{ id: 'c1', name: 'bmcp_zoo_add', arguments: '{"a":20,"b":22}' }] }, { text: 'The answer is 42.' }];

/** Start records joined with their end, once `n` interceptions ended. */
async function ended(n: number) {
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(n));
  return gw.recorder.interceptions.map((s) => ({ ...s, end: gw.recorder.interceptionEnds.find((e) => e.id === s.id)! }));
}

it('blocking: runs the injected tool on the provider the rule chose and answers with the model\'s final text', async () => {
  const script = chatScript(ADD);
  a.behaviour = script;
  const answer = await client('auto').chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'add' }] });
  expect(answer.choices[0].message.content).toBe('The answer is 42.');
  expect(answer.choices[0].message.tool_calls).toBeUndefined();
  expect(script.calls).toHaveLength(2);
  expect(script.calls[1].json.messages.filter((m: { role: string }) => m.role === 'tool')).toEqual([{ role: 'tool', tool_call_id: 'c1', content: '42' }]);
  expect(script.calls.every((c) => c.headers.authorization === 'Bearer sk-route-tools-a-1111')).toBe(true);
  expect(b.requests).toHaveLength(0);
  expect(zoo.state.calls).toEqual(['add']);
  const [record] = await ended(1);
  expect(record).toMatchObject({ providerName: 'openai', route: '/auto/v1/chat/completions', end: { status: 'completed' } });
  await eventually(() => expect(gw.recorder.toolUsages).toHaveLength(1));
  expect(gw.recorder.toolUsages[0]).toMatchObject({ interceptionId: record.id, tool: 'bmcp_zoo_add', injected: true, serverUrl: host.url });
  // The guard sees the client's body (the tools are injected after it) and the route that chose the provider.
  expect(guarded).toEqual([{ providerName: 'openai', routedBy: 'auto', tools: 0 }]);
});

it('streaming after a fallback: the next provider runs the loop, text is relayed live, the injected call is hidden', async () => {
  const script = chatScript(ADD);
  b.behaviour = script;
  const stream = await client('resilient').chat.completions.create({ model: 'any-model', messages: [{ role: 'user', content: 'add' }], stream: true });
  let text = '';
  const toolDeltas: unknown[] = [];
  const finishes: unknown[] = [];
  for await (const part of stream) {
    const choice = part.choices[0];
    text += choice?.delta?.content ?? '';
    if (choice?.delta?.tool_calls) toolDeltas.push(choice.delta.tool_calls);
    if (choice?.finish_reason) finishes.push(choice.finish_reason);
  }
  expect(text).toBe('The answer is 42.');
  expect(toolDeltas).toEqual([]);
  expect(finishes).toEqual(['stop']);
  expect(script.calls).toHaveLength(2);
  expect(script.calls.every((c) => c.json.stream === true)).toBe(true);
  expect(zoo.state.calls).toEqual(['add']);
  const records = await ended(2);
  expect(records.map((r) => [r.providerName, r.streaming, r.end.status, r.end.errorCode])).toEqual([
    ['down', true, 'failed', 'upstream_unreachable'], ['openai-b', true, 'completed', undefined],
  ]);
  await eventually(() => expect(gw.recorder.toolUsages).toHaveLength(1));
  expect(gw.recorder.toolUsages[0]).toMatchObject({ interceptionId: records[1].id, tool: 'bmcp_zoo_add', injected: true });
  expect(guarded).toEqual([{ providerName: 'down', routedBy: 'resilient', tools: 0 }, { providerName: 'openai-b', routedBy: 'resilient', tools: 0 }]);
});

it('gives guard no routedBy on a provider\'s own prefix', async () => {
  a.behaviour = chatScript([{ text: 'plain' }]);
  await client('openai').chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
  expect(guarded).toEqual([{ providerName: 'openai', routedBy: undefined, tools: 0 }]);
});
