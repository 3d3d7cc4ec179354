/** `gen_ai.response.model` on the interception span and, through the tool loop, each iteration's: the model the upstream says answered, per API, blocking and streamed, through the tool loop, bounded. */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { anthropicProvider, openaiProvider } from '../../lib';
import { anthropicMessage, anthropicStream, writeAnthropicSse } from '../helpers/anthropic-script';
import { eventually } from '../helpers/gateway';
import { chatCompletion, chunk, startFakeOpenAI, textStreamEvents, writeSse, type Behaviour, type FakeUpstream } from '../helpers/fake-openai';
import { TestInjector } from '../helpers/test-injector';
import { parentOf, registerContextManager, spansOf, startTraceHost, type TraceHost } from '../helpers/trace-host';

const ATTR = 'gen_ai.response.model';
const CHAT_ANSWERED = 'gpt-4o-mini-2024-07-18';
const CLAUDE_ANSWERED = 'claude-sonnet-4-5-20250929';
/** What the fake's recorded Responses answers (blocking and streamed) name, for a request of `gpt-5`. */
const RESPONSES_ANSWERED = 'gpt-5-mini-2025-08-07';

let upstream: FakeUpstream;
/** No injected tools: answers relayed as they come (streams zero-copy). */
let plain: TraceHost;
/** Injected tools: every request goes through the tool loop. */
let looped: TraceHost;

beforeAll(async () => {
  registerContextManager();
  upstream = await startFakeOpenAI();
  const providers = () => [
    openaiProvider({ baseURL: upstream.url, keys: ['sk-model-key-000000000000001'] }),
    anthropicProvider({ baseURL: upstream.url.replace(/\/v1$/, ''), keys: ['sk-ant-model-key-0000000001'] }),
  ];
  plain = await startTraceHost({ providers: providers() });
  looped = await startTraceHost({ providers: providers(), tools: new TestInjector(3) });
});

afterAll(async () => {
  await plain.close();
  await looped.close();
  await upstream.close();
});

beforeEach(() => {
  upstream.behaviour = undefined;
});

const openai = (host: TraceHost, name: string) => new OpenAI({
  apiKey: 'user-token-alice', baseURL: `${host.base}/ai/openai/v1`, maxRetries: 0, defaultHeaders: { 'x-test-request': name },
});
const anthropic = (host: TraceHost, name: string) => new Anthropic({
  authToken: 'user-token-alice', baseURL: `${host.base}/ai/anthropic`, maxRetries: 0, defaultHeaders: { 'x-test-request': name },
});
const ask = (host: TraceHost, name: string) =>
  openai(host, name).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
async function askStreamed(host: TraceHost, name: string): Promise<string> {
  const stream = await openai(host, name).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });
  let text = '';
  for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
  return text;
}

/** The interception span of request `name` (once ended) and its iteration spans, in order. */
async function spansOfRequest(host: TraceHost, name: string, rootName: string): Promise<{ root: ReadableSpan; iterations: ReadableSpan[] }> {
  const traceId = host.hostSpans.get(name)!.spanContext().traceId;
  await eventually(() => expect(spansOf(host.exporter, traceId).map((s) => s.name)).toEqual(expect.arrayContaining([`host ${name}`, rootName])));
  const spans = spansOf(host.exporter, traceId);
  const root = spans.find((s) => s.name === rootName && spans.some((h) => h.name === `host ${name}` && h.spanContext().spanId === parentOf(s)))!;
  const iterations = spans.filter((s) => parentOf(s) === root.spanContext().spanId && s.name === 'aibridge.loop_iteration')
    .sort((a, b) => Number(a.attributes['aibridge.loop.iteration']) - Number(b.attributes['aibridge.loop.iteration']));
  return { root, iterations };
}

/** Every `data:` payload of the default streamed chat answer, naming `model`. */
const chatStreamNaming = (model: string, includeUsage: boolean) =>
  textStreamEvents(includeUsage).map((e) => (e === '[DONE]' ? e : JSON.stringify({ ...JSON.parse(e), model })));

/** Answers chat completions, blocking or streamed, naming `model`. */
const chatAnswering = (model: string): Behaviour => (req, res) => {
  if (req.json?.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(chatCompletion({ model })));
    return;
  }
  writeSse(res, chatStreamNaming(model, req.json.stream_options?.include_usage === true));
};

/** Answers Anthropic messages, blocking or streamed, naming `model`. */
const messagesAnswering = (model: string): Behaviour => (req, res) => {
  const step = { text: 'Hello there!' };
  if (req.json?.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...anthropicMessage(step, 0), model }));
    return;
  }
  writeAnthropicSse(res, anthropicStream(step, 0).replace(/"model":"[^"]*"/, JSON.stringify({ model }).slice(1, -1)));
};

/** Without injected tools there is no iteration span (`iterationModels` empty); with them, each carries its call's model. */
function expectAnswered(root: ReadableSpan, iterations: ReadableSpan[], requested: string, answered: string, iterationModels: string[] = []): void {
  expect(root.attributes['gen_ai.request.model']).toBe(requested);
  expect(root.attributes[ATTR]).toBe(answered);
  expect(iterations.map((s) => s.attributes[ATTR])).toEqual(iterationModels);
}

describe('without injected tools', () => {
  test('chat completions, blocking: the answer\'s model, not the requested one', async () => {
    upstream.behaviour = chatAnswering(CHAT_ANSWERED);
    expect((await ask(plain, 'chat-blocking')).model).toBe(CHAT_ANSWERED);
    const { root, iterations } = await spansOfRequest(plain, 'chat-blocking', 'chat gpt-4o-mini');
    expectAnswered(root, iterations, 'gpt-4o-mini', CHAT_ANSWERED);
  });

  test('chat completions, streamed: the chunks\' model', async () => {
    upstream.behaviour = chatAnswering(CHAT_ANSWERED);
    expect(await askStreamed(plain, 'chat-streamed')).not.toBe('');
    const { root, iterations } = await spansOfRequest(plain, 'chat-streamed', 'chat gpt-4o-mini');
    expectAnswered(root, iterations, 'gpt-4o-mini', CHAT_ANSWERED);
  });

  test('Responses, blocking: `response.model`', async () => {
    const answer = await openai(plain, 'responses-blocking').responses.create({ model: 'gpt-5', input: 'hi' });
    expect(answer.model).toBe(RESPONSES_ANSWERED);
    const { root, iterations } = await spansOfRequest(plain, 'responses-blocking', 'chat gpt-5');
    expectAnswered(root, iterations, 'gpt-5', RESPONSES_ANSWERED);
  });

  test('Responses, streamed: the events\' `response.model`', async () => {
    const stream = await openai(plain, 'responses-streamed').responses.create({ model: 'gpt-5', input: 'hi', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toContain('response.completed');
    const { root, iterations } = await spansOfRequest(plain, 'responses-streamed', 'chat gpt-5');
    expectAnswered(root, iterations, 'gpt-5', RESPONSES_ANSWERED);
  });

  test('Anthropic Messages, blocking: the message\'s model', async () => {
    upstream.behaviour = messagesAnswering(CLAUDE_ANSWERED);
    const message = await anthropic(plain, 'messages-blocking').messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.model).toBe(CLAUDE_ANSWERED);
    const { root, iterations } = await spansOfRequest(plain, 'messages-blocking', 'chat claude-sonnet-4-5');
    expectAnswered(root, iterations, 'claude-sonnet-4-5', CLAUDE_ANSWERED);
  });

  test('Anthropic Messages, streamed: `message_start`\'s model', async () => {
    upstream.behaviour = messagesAnswering(CLAUDE_ANSWERED);
    const stream = anthropic(plain, 'messages-streamed').messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
    expect((await stream.finalMessage()).model).toBe(CLAUDE_ANSWERED);
    const { root, iterations } = await spansOfRequest(plain, 'messages-streamed', 'chat claude-sonnet-4-5');
    expectAnswered(root, iterations, 'claude-sonnet-4-5', CLAUDE_ANSWERED);
  });

  test('a model name longer than 256 characters is cut at 256', async () => {
    const long = `m-${'x'.repeat(1000)}`;
    upstream.behaviour = chatAnswering(long);
    await askStreamed(plain, 'long-model');
    const { root, iterations } = await spansOfRequest(plain, 'long-model', 'chat gpt-4o-mini');
    expectAnswered(root, iterations, 'gpt-4o-mini', long.slice(0, 256));
  });

  test('an answer that names no model: no attribute', async () => {
    upstream.behaviour = (_req, res) => {
      const { model: _dropped, ...answer } = chatCompletion();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    };
    await ask(plain, 'no-model');
    const { root, iterations } = await spansOfRequest(plain, 'no-model', 'chat gpt-4o-mini');
    expect(root.attributes).not.toHaveProperty(ATTR);
    expect(iterations).toEqual([]);
  });
});

describe('through the tool loop', () => {
  /** The first call asks for an injected tool, answered by `first`; the second answers text, by `second`. */
  function twoCalls(first: string, second: string, streamed: boolean): Behaviour {
    let n = 0;
    return (req, res) => {
      if (n++ > 0) return chatAnswering(second)(req, res);
      const call = { index: 0, id: 'call_1', type: 'function', function: { name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' } };
      if (!streamed) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(chatCompletion({
          model: first, choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: 'tool_calls' }],
        })));
        return;
      }
      writeSse(res, [
        JSON.stringify(chunk({ role: 'assistant', content: null, tool_calls: [call] }, null, { model: first })),
        JSON.stringify(chunk({}, 'tool_calls', { model: first })),
        '[DONE]',
      ]);
    };
  }

  test.each([['blocking', false], ['streamed', true]])('chat, %s: each iteration carries the model of its call, the interception the last', async (name, streamed) => {
    upstream.behaviour = twoCalls('gpt-4o-mini-first', CHAT_ANSWERED, streamed);
    if (streamed) expect(await askStreamed(looped, `loop-${name}`)).not.toBe('');
    else expect((await ask(looped, `loop-${name}`)).choices[0].message.content).not.toBe('');
    const { root, iterations } = await spansOfRequest(looped, `loop-${name}`, 'chat gpt-4o-mini');
    expect(iterations.map((s) => s.attributes[ATTR])).toEqual(['gpt-4o-mini-first', CHAT_ANSWERED]);
    expect(root.attributes[ATTR]).toBe(CHAT_ANSWERED);
  });

  test('Anthropic Messages, streamed: `message_start`\'s model with the events rewritten for the loop', async () => {
    upstream.behaviour = messagesAnswering(CLAUDE_ANSWERED);
    const stream = anthropic(looped, 'loop-messages').messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
    expect((await stream.finalMessage()).model).toBe(CLAUDE_ANSWERED);
    const { root, iterations } = await spansOfRequest(looped, 'loop-messages', 'chat claude-sonnet-4-5');
    expectAnswered(root, iterations, 'claude-sonnet-4-5', CLAUDE_ANSWERED, [CLAUDE_ANSWERED]);
  });
});
