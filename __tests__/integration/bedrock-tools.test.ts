/** bedrockProvider with an injected MCP tool (a real MCP server over Streamable HTTP): the loop runs through Bedrock, each call signed afresh. */
import Anthropic from '@anthropic-ai/sdk';
import { bedrockProvider, mcpToolInjector } from '../../lib';
import { anthropicScript } from '../helpers/anthropic-script';
import { ACCESS_KEYS, startFakeBedrock, type FakeBedrock } from '../helpers/bedrock-upstream';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';
import { startZooHttp, type ToolZoo } from '../helpers/mcp-test-server';
import type { McpHttpHost } from '../helpers/mcp-http-host';

let bedrock: FakeBedrock;
let gw: Gateway;
let zoo: ToolZoo;
let host: McpHttpHost;

beforeAll(async () => {
  ({ zoo, host } = await startZooHttp());
  bedrock = await startFakeBedrock({ credentials: [ACCESS_KEYS] });
  const tools = mcpToolInjector({ servers: [{ name: 'zoo', url: host.url }], allow: /^add$/ });
  gw = await startGateway({ providers: [bedrockProvider({ region: 'us-east-1', baseURL: bedrock.url, credentials: ACCESS_KEYS, smallFastModel: 'us.anthropic.claude-haiku-4-5-20251001-v1:0' })], tools });
});
afterAll(async () => {
  await gw.close();
  await bedrock.close();
  await host.close();
});
beforeEach(() => {
  bedrock.requests.length = 0;
  gw.recorder.clear();
  zoo.state.calls.length = 0;
});

const client = () => new Anthropic({ apiKey: 'unused', baseURL: `${gw.url}/bedrock`, maxRetries: 0, defaultHeaders: { 'x-user-token': 'user-token-alice' } });
const params = { model: 'claude-test-haiku', max_tokens: 128, messages: [{ role: 'user' as const, content: 'What is 20+22?' }] };

test.each([false, true])('the model calls the injected MCP tool; the bridge runs it and calls Bedrock again (stream: %s)', async (stream) => {
  bedrock.inner.behaviour = anthropicScript([
    { text: 'Let me add.', toolCalls: [{ id: 'toolu_1', name: 'bmcp_zoo_add', input: '{"a":20,"b":22}' }], usage: { input_tokens: 30, output_tokens: 12 } },
    { text: 'It is 42.', usage: { input_tokens: 50, output_tokens: 6 } },
  ]);
  const answer = stream ? await client().messages.stream(params).finalMessage() : await client().messages.create(params);
  expect(answer.content.filter((b) => b.type === 'text').map((b) => (b as { text: string }).text).join(' ')).toContain('It is 42.');
  expect(answer.content.some((b) => b.type === 'tool_use')).toBe(false);
  expect(zoo.state.calls).toEqual(['add']);
  expect(bedrock.requests).toHaveLength(2);
  const [first, second] = bedrock.requests;
  // Claude Code's small, fast model (a haiku name) → smallFastModel.
  for (const r of bedrock.requests) {
    expect(r.modelId).toBe('us.anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(r.path.endsWith(stream ? '/invoke-with-response-stream' : '/invoke')).toBe(true);
    expect(r.auth).toMatchObject({ kind: 'sigv4' });
    expect(r.json).toMatchObject({ anthropic_version: 'bedrock-2023-05-31' });
    expect(r.json).not.toHaveProperty('model');
    expect(r.json).not.toHaveProperty('stream');
  }
  expect((first.json!.tools as Array<{ name: string }>).map((t) => t.name)).toEqual(['bmcp_zoo_add']);
  expect(JSON.stringify(second.json!.messages)).toContain('"tool_use_id":"toolu_1"');
  expect(first.headers.authorization).not.toBe(second.headers.authorization);
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
  expect(gw.recorder.interceptions[0]).toMatchObject({ model: 'claude-test-haiku', upstreamModel: 'us.anthropic.claude-haiku-4-5-20251001-v1:0' });
  expect(gw.recorder.toolUsages).toEqual([expect.objectContaining({ tool: 'bmcp_zoo_add', toolCallId: 'toolu_1', injected: true, args: { a: 20, b: 22 } })]);
  expect(gw.recorder.tokenUsages.map((u) => [u.input, u.output])).toEqual([[30, 12], [50, 6]]);
  expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed' });
});
