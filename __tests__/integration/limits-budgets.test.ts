// Budgets: tokens per window and spend per period, counted from each upstream call's usage, refused at admission and ending a tool loop.
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import winston from 'winston';
import { anthropicProvider, createBridge, openaiProvider, type BridgeOptions } from '../../lib';
import { anthropicScript } from '../helpers/anthropic-script';
import { chatScript } from '../helpers/chat-script';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';
import { anthropicClient, header, openaiClient, refusal, teamActor } from '../helpers/limits';
import { TestInjector } from '../helpers/test-injector';

let upstream: FakeUpstream;
let gw: Gateway | undefined;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
});
afterAll(async () => {
  await upstream.close();
});
afterEach(async () => {
  upstream.behaviour = undefined;
  upstream.requests.length = 0;
  await gw?.close();
  gw = undefined;
});

async function gateway(limits: BridgeOptions['limits'], extra: Partial<BridgeOptions> = {}): Promise<Gateway> {
  gw = await startGateway({ actor: teamActor, providers: [openaiProvider({ baseURL: upstream.url, keys: ['sk-budgets-openai-000000001'] })], limits, ...extra });
  return gw;
}

const chat = (g: Gateway, model = 'gpt-4o-mini') => openaiClient(g.url).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

test('tokens per window: usage is counted per call (input + output); once spent, the next request gets 429 budget_exceeded', async () => {
  const g = await gateway([{ name: 'tokens', per: 'actor', tokens: { points: 20, windowMs: 60_000 } }]);
  upstream.behaviour = chatScript([{ text: 'ok', usage: { prompt_tokens: 10, completion_tokens: 5 } }]);
  await chat(g);
  await chat(g); // 15 used: still admitted, and it spends past the budget
  const refused = await refusal(chat(g));
  expect(refused.status).toBe(429);
  expect(refused.error).toMatchObject({ type: 'rate_limit_error', code: 'budget_exceeded' });
  expect(header(refused.headers, 'x-ratelimit-limit-tokens')).toBe('20');
  expect(header(refused.headers, 'x-ratelimit-remaining-tokens')).toBe('0');
  expect(Number(header(refused.headers, 'retry-after'))).toBeGreaterThan(50);
  expect(upstream.requests).toHaveLength(2);
  expect(await g.bridge.usageOf('alice')).toEqual([
    expect.objectContaining({ name: 'tokens', kind: 'tokens', unit: 'tokens', limit: 20, used: 30, remaining: 0, resetsAt: expect.any(Date) }),
  ]);
  await eventually(() => expect(g.recorder.interceptionEnds.find((e) => e.status === 'failed')).toMatchObject({ httpStatus: 429, errorType: 'rate_limited', errorCode: 'budget_exceeded' }));
  expect(g.bridge.stats().limits!.budgetExceeded).toBe(1);
});

test('tokens are counted with no recorder and no metrics (the answer is read for its usage all the same)', async () => {
  const bridge = createBridge({ actor: teamActor, providers: [openaiProvider({ baseURL: upstream.url, keys: ['sk-budgets-openai-000000001'] })], limits: [{ per: 'actor', tokens: { points: 15, windowMs: 60_000 } }], logger: winston.createLogger({ silent: true }) });
  const app = express().use('/ai', bridge);
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ai`;
  try {
    upstream.behaviour = chatScript([{ text: 'ok', usage: { prompt_tokens: 10, completion_tokens: 5 } }]);
    const ask = () => openaiClient(url).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    await ask();
    expect((await refusal(ask())).error.code).toBe('budget_exceeded');
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await bridge.close();
  }
});

test('spend per period is priced from the price table (micro-dollars rounded up); an unpriced model is named and not counted', async () => {
  // gpt-4o-mini: 0.15 in, 0.6 out per 1M → 10 in + 5 out = 4.5e-6 USD, counted as 5 micro-dollars.
  const g = await gateway([{ name: 'spend', per: 'actor', spend: { usd: 0.00001, periodMs: 3_600_000, prices: { 'house-model': { input: 1, output: 1 } } } }]);
  upstream.behaviour = chatScript([{ text: 'ok', usage: { prompt_tokens: 10, completion_tokens: 5 } }]);
  await chat(g, 'local-llama');
  await chat(g, 'local-llama');
  await chat(g, 'local-llama');
  let [row] = await g.bridge.usageOf('alice');
  expect(row).toMatchObject({ kind: 'spend', unit: 'usd', limit: 0.00001, used: 0, unpricedModels: ['local-llama'] });
  expect(g.logs.lines.filter((l) => l.includes('cannot price'))).toHaveLength(1);
  await chat(g);
  await chat(g);
  [row] = await g.bridge.usageOf('alice');
  expect(row).toMatchObject({ used: 0.00001, remaining: 0 });
  expect((await refusal(chat(g, 'house-model'))).error.code).toBe('budget_exceeded');
});

describe('a budget running out in the middle of a tool loop', () => {
  const limits: BridgeOptions['limits'] = [{ name: 'loop', per: 'actor', tokens: { points: 40, windowMs: 60_000 } }];
  // Each call spends 15: after the third (45 ≥ 40) its tool call is not run and the loop ends with what it has.
  const steps = () => chatScript([
    { text: 'one ', toolCalls: [{ id: 'c1', name: 'bmcp_calc_add', arguments: '{"a":1,"b":1}' }] },
    { text: 'two ', toolCalls: [{ id: 'c2', name: 'bmcp_calc_add', arguments: '{"a":2,"b":2}' }] },
    { text: 'three', toolCalls: [{ id: 'c3', name: 'bmcp_calc_add', arguments: '{"a":3,"b":3}' }] },
    { text: 'never' },
  ]);

  test('blocking: the client gets the answer so far (200), the unrun call is recorded as such', async () => {
    const tools = new TestInjector();
    const g = await gateway(limits, { tools });
    const script = steps();
    upstream.behaviour = script;
    const answer = await chat(g);
    expect(script.calls).toHaveLength(3);
    expect(tools.calls).toHaveLength(2);
    expect(answer.choices[0].message.content).toContain('three');
    expect(answer.choices[0].message.tool_calls).toBeUndefined();
    expect(answer.choices[0].finish_reason).toBe('stop');
    await eventually(() => {
      expect(g.recorder.interceptionEnds).toEqual([expect.objectContaining({ status: 'completed', httpStatus: 200 })]);
      expect(g.recorder.toolUsages.find((t) => t.toolCallId === 'c3')).toMatchObject({ invocationError: expect.stringContaining('budget') });
    });
    expect((await refusal(chat(g))).error.code).toBe('budget_exceeded');
  });

  test('streamed: the stream ends cleanly with the text so far, never a broken stream', async () => {
    const tools = new TestInjector();
    const g = await gateway(limits, { tools });
    const script = steps();
    upstream.behaviour = script;
    const stream = await openaiClient(g.url).chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe('one two three');
    expect(finish).toBeTruthy();
    expect(script.calls).toHaveLength(3);
    expect(tools.calls).toHaveLength(2);
    await eventually(() => expect(g.recorder.interceptionEnds).toEqual([expect.objectContaining({ status: 'completed' })]));
  });

  test('Anthropic streamed: the spend budget ends the loop and the client\'s stream ends with message_delta and message_stop', async () => {
    const tools = new TestInjector();
    // claude-sonnet-4: 3 in, 15 out per 1M → each call (100 in, 100 out) costs 1,800 micro-dollars; the budget holds two.
    gw = await startGateway({
      actor: teamActor, tools,
      providers: [anthropicProvider({ baseURL: upstream.origin, keys: ['sk-ant-budgets-00000000001'] })],
      limits: [{ name: 'spend', per: 'group', groupOf: 'team', spend: { usd: 0.0036, periodMs: 3_600_000 } }],
    });
    const usage = { input_tokens: 100, output_tokens: 100 };
    const script = anthropicScript([
      { text: 'one ', toolCalls: [{ id: 'toolu_1', name: 'bmcp_calc_add', input: '{"a":1,"b":1}' }], usage },
      { text: 'two', toolCalls: [{ id: 'toolu_2', name: 'bmcp_calc_add', input: '{"a":2,"b":2}' }], usage },
      { text: 'never', usage },
    ]);
    upstream.behaviour = script;
    const stream = anthropicClient(gw.url).messages.stream({ model: 'claude-sonnet-4-20250514', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
    const names: string[] = [];
    stream.on('streamEvent', (e) => names.push(e.type));
    const final = await stream.finalMessage();
    expect(final.content.filter((b) => b.type === 'text').map((b) => (b as { text: string }).text).join('')).toBe('one two');
    expect(final.content.some((b) => b.type === 'tool_use')).toBe(false);
    expect(names.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(script.calls).toHaveLength(2);
    expect(tools.calls).toHaveLength(1);
    const [row] = await gw.bridge.usageOf({ id: 'bob', metadata: { team: 'red' } });
    expect(row).toMatchObject({ kind: 'spend', subject: 'red', used: 0.0036, remaining: 0 });
    expect((await refusal(anthropicClient(gw.url, 'tok-bob').messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }))).error)
      .toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });
});
