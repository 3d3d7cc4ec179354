/** The test kit as a host app uses it: its fake upstream behind a mounted bridge, driven by the real OpenAI and Anthropic SDKs. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import express from 'express';
import OpenAI from 'openai';
import winston from 'winston';
import { anthropicProvider, createBridge, MemoryRecorder, openaiProvider, type Bridge, type ToolInjector } from '../../lib';
import { script, startFakeUpstream, type FakeUpstream } from '../../lib/testing';
import { eventually } from '../helpers/gateway';

// Any name the host's own injector chooses: the kit is not told about it beyond its `toolCalls` script.
const TOOL = 'warehouse_stock_level';
const POOL_KEY = 'sk-kit-pool-key-000000000000001';

/** The host's own ToolInjector: one tool, per actor, with a log of its calls. */
function stockInjector(calls: Array<{ actor: string; arguments: unknown }>): ToolInjector {
  return {
    listTools: () => [{ name: TOOL, description: 'Units in stock for a SKU.', inputSchema: { type: 'object', properties: { sku: { type: 'string' } } } }],
    async callTool(call, ctx) {
      calls.push({ actor: ctx.actor.id, arguments: call.arguments });
      return { content: [{ type: 'text', text: `42 units of ${(call.arguments as { sku: string }).sku}` }] };
    },
  };
}

let fake: FakeUpstream;
let bridge: Bridge;
let server: http.Server;
let base: string;
const recorder = new MemoryRecorder();
const toolCalls: Array<{ actor: string; arguments: unknown }> = [];

beforeAll(async () => {
  fake = await startFakeUpstream({
    keys: [POOL_KEY],
    toolCalls: [{ tool: TOOL, when: /\bstock\b/i, arguments: (question) => ({ sku: /\b(\w+)\?$/.exec(question)?.[1] ?? 'unknown' }) }],
  });
  bridge = createBridge({
    providers: [openaiProvider({ keys: [POOL_KEY], baseURL: fake.url }), anthropicProvider({ keys: [POOL_KEY], baseURL: fake.origin })],
    actor: (req) => (req.headers.authorization === 'Bearer host-user-token' || req.headers['x-api-key'] === 'host-user-token' ? { id: 'dana' } : undefined),
    recorder,
    tools: stockInjector(toolCalls),
    logger: winston.createLogger({ silent: true }),
  });
  const app = express();
  app.use('/ai', bridge);
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ai`;
});

afterAll(async () => {
  await bridge.close();
  await new Promise((resolve) => server.close(resolve));
  await fake.close();
});

beforeEach(() => {
  fake.behaviour = undefined;
  toolCalls.length = 0;
});

const openai = () => new OpenAI({ apiKey: 'host-user-token', baseURL: `${base}/openai/v1`, maxRetries: 0 });
const anthropic = () => new Anthropic({ apiKey: 'host-user-token', baseURL: `${base}/anthropic`, maxRetries: 0 });
const ask = (content: string) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content }] });
const askClaude = (content: string) => ({ model: 'claude-test', max_tokens: 100, messages: [{ role: 'user' as const, content }] });

describe('the kit behind a bridge, without tool calls', () => {
  test('OpenAI chat, blocking and streamed: recorded answers, reached with the pool key and the injected tool offered', async () => {
    const before = fake.requests.length;
    const blocking = await openai().chat.completions.create(ask('Hello!'));
    expect(blocking.choices[0].message.content).toEqual(expect.any(String));
    expect(blocking.choices[0].message.content!.length).toBeGreaterThan(0);

    let streamed = '';
    for await (const chunk of await openai().chat.completions.create({ ...ask('Hello!'), stream: true })) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed.length).toBeGreaterThan(0);

    const seen = fake.requests.slice(before);
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /v1/chat/completions', 'POST /v1/chat/completions']);
    expect(seen.every((r) => r.headers.authorization === `Bearer ${POOL_KEY}`)).toBe(true);
    expect(seen[0].json.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual([TOOL]);
    expect(toolCalls).toEqual([]);
  });

  test('Anthropic Messages, blocking and streamed', async () => {
    const blocking = await anthropic().messages.create(askClaude('Hello!'));
    expect(blocking).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'end_turn' });
    const streamed = await anthropic().messages.stream(askClaude('Hello!')).finalMessage();
    expect(streamed.content.some((b) => b.type === 'text' && b.text.length > 0)).toBe(true);
    expect(fake.requests.at(-1)!.headers['x-api-key']).toBe(POOL_KEY);
  });

  test('/v1/models through the passthrough', async () => {
    const models = await openai().models.list();
    expect(models.data.length).toBeGreaterThan(0);
    expect(models.data[0]).toMatchObject({ object: 'model' });
  });
});

describe('toolCalls: the kit calls the host\'s injected tool, the bridge runs it, the kit quotes the result', () => {
  test('OpenAI chat, blocking', async () => {
    const answer = await openai().chat.completions.create(ask('How much stock of widget?'));
    expect(answer.choices[0].message.content).toBe(`The tool ${TOOL} answered: 42 units of widget`);
    expect(toolCalls).toEqual([{ actor: 'dana', arguments: { sku: 'widget' } }]);
  });

  test('OpenAI chat, streamed: the client sees only the final answer', async () => {
    const stream = openai().chat.completions.stream(ask('Any stock of gizmo?'));
    const final = await stream.finalChatCompletion();
    expect(final.choices[0].message).toMatchObject({ content: `The tool ${TOOL} answered: 42 units of gizmo` });
    expect(final.choices[0].message.tool_calls ?? []).toEqual([]);
    expect(toolCalls).toEqual([{ actor: 'dana', arguments: { sku: 'gizmo' } }]);
  });

  test('Anthropic Messages, streamed', async () => {
    const final = await anthropic().messages.stream(askClaude('Is there stock of sprocket?')).finalMessage();
    expect(final.content).toEqual([expect.objectContaining({ type: 'text', text: `The tool ${TOOL} answered: 42 units of sprocket` })]);
    expect(toolCalls).toEqual([{ actor: 'dana', arguments: { sku: 'sprocket' } }]);
  });

  test('OpenAI Responses, blocking', async () => {
    const response = await openai().responses.create({ model: 'gpt-5', input: 'What is the stock of bolt?' });
    expect(response.output_text).toBe(`The tool ${TOOL} answered: 42 units of bolt`);
    expect(toolCalls).toEqual([{ actor: 'dana', arguments: { sku: 'bolt' } }]);
  });

  test('the tool use is recorded as injected', async () => {
    await openai().chat.completions.create(ask('How much stock of nut?'));
    await eventually(() => {
      const used = recorder.toolUsages.filter((t) => (t.args as { sku?: string }).sku === 'nut');
      expect(used).toEqual([expect.objectContaining({ tool: TOOL, injected: true })]);
    });
  });
});

describe('script(): one queue of steps for whichever API is called', () => {
  test('a tool call with given arguments, then an answer, through the Anthropic SDK (streamed) and the OpenAI SDK (blocking)', async () => {
    fake.behaviour = script([
      { toolCalls: [{ name: TOOL, arguments: { sku: 'gear' } }] },
      { text: 'Gears are in stock.', usage: { input: 20, output: 4 } },
    ]);
    const final = await anthropic().messages.stream(askClaude('hi')).finalMessage();
    expect(final.content).toEqual([expect.objectContaining({ type: 'text', text: 'Gears are in stock.' })]);
    // Each upstream call is recorded with the usage its step gave (the tool-call step: the defaults, 10 and 5).
    await eventually(() => expect(recorder.tokenUsages.slice(-2)).toEqual([expect.objectContaining({ input: 10, output: 5 }), expect.objectContaining({ input: 20, output: 4 })]));
    expect(toolCalls).toEqual([{ actor: 'dana', arguments: { sku: 'gear' } }]);

    // The last step repeats: a plain answer, now in OpenAI's shape.
    const again = await openai().chat.completions.create(ask('hi'));
    expect(again.choices[0].message.content).toBe('Gears are in stock.');
    expect((fake.behaviour as ReturnType<typeof script>).calls.map((r) => r.url)).toEqual(['/v1/messages', '/v1/messages', '/v1/chat/completions']);
  });

  test('an error step comes back in each API\'s own shape', async () => {
    fake.behaviour = script([{ error: { status: 400, message: 'scripted refusal' } }]);
    await expect(openai().chat.completions.create(ask('hi'))).rejects.toMatchObject({ status: 400, error: { message: 'scripted refusal', type: 'invalid_request_error' } });
    await expect(anthropic().messages.create(askClaude('hi'))).rejects.toMatchObject({ status: 400, error: { type: 'error', error: { type: 'invalid_request_error', message: 'scripted refusal' } } });
  });
});

describe('options are checked when the kit starts', () => {
  test.each([
    [{ toolCalls: {} }, 'option `toolCalls` must be an array'],
    [{ toolCalls: [{ tool: '' }] }, 'option `toolCalls[0].tool` must be a tool name'],
    [{ toolCalls: [{ tool: 'x', arguments: 3 }] }, 'option `toolCalls[0].arguments` must be an object'],
    [{ toolCalls: [{ tool: 'x', when: 'time' }] }, 'option `toolCalls[0].when` must be a RegExp'],
    [{ toolCalls: [{ tool: 'x', args: {} }] }, 'option `toolCalls[0].args` is not known'],
  ])('%j', async (options, message) => {
    await expect(startFakeUpstream(options as never)).rejects.toThrow(message);
  });
});
