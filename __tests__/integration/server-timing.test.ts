/** `Server-Timing` on every bridged and passthrough answer: the gateway's own time apart from the upstream's time to its head. */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { anthropicProvider, createBridge, openaiProvider } from '../../lib';
import type { Behaviour } from '../helpers/fake-openai';
import { bridgeSuite, eventually, startGateway, testActor, type Gateway } from '../helpers/gateway';

const K1 = 'sk-timing-first-aaaaaaaaaaaa1111';
const K2 = 'sk-timing-second-bbbbbbbbbbb2222';
/** What the fake upstream waits before each answer's head. */
const DELAY_MS = 60;
/** Node may fire a timer up to a millisecond before its time. */
const TIMER_SLACK_MS = 1;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Delays the head of every answer by `ms`, then answers as the fake does by default. */
const delayed = (ms: number): Behaviour => async () => {
  await sleep(ms);
  return 'default' as const;
};

/** `gateway;dur=1.2, upstream;dur=35.4` as numbers; throws on anything else. */
function parseServerTiming(header: string | null): { gateway: number; upstream?: number } {
  expect(header).toMatch(/^gateway;dur=\d+(\.\d+)?(, upstream;dur=\d+(\.\d+)?)?$/);
  const metrics = Object.fromEntries(header!.split(', ').map((m) => {
    const [name, dur] = m.split(';dur=');
    return [name, Number(dur)];
  }));
  return metrics as { gateway: number; upstream?: number };
}

function expectSane(timing: { gateway: number; upstream?: number }, upstreamAtLeast?: number): void {
  expect(timing.gateway).toBeGreaterThanOrEqual(0);
  expect(timing.gateway).toBeLessThan(5_000);
  if (upstreamAtLeast === undefined) {
    expect(timing.upstream).toBeUndefined();
  } else {
    expect(timing.upstream).toBeGreaterThanOrEqual(upstreamAtLeast - TIMER_SLACK_MS);
    expect(timing.upstream).toBeLessThan(5_000);
  }
}

const suite = bridgeSuite((url) => ({
  providers: [openaiProvider({ keys: [K1, K2], baseURL: url }), anthropicProvider({ keys: [K1], baseURL: url.replace(/\/v1$/, '') })],
}));
const openai = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0 });
const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hi' }] };

describe('Server-Timing (on by default)', () => {
  test('a blocking answer: upstream covers the upstream wait, and the end record carries the same times', async () => {
    suite.upstream.behaviour = delayed(DELAY_MS);
    const { data, response } = await openai().chat.completions.create(CHAT).withResponse();
    expect(data.choices[0]!.message.content).toBe('Hello there!');
    const timing = parseServerTiming(response.headers.get('server-timing'));
    expectSane(timing, DELAY_MS);

    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
    const [ended] = suite.gw.recorder.interceptionEnds;
    expect(ended).toMatchObject({ status: 'completed', gatewayMs: timing.gateway, upstreamFirstByteMs: timing.upstream });
  });

  test('a streamed answer carries it on its head, before any event', async () => {
    suite.upstream.behaviour = delayed(DELAY_MS);
    const { data: stream, response } = await openai().chat.completions.create({ ...CHAT, stream: true }).withResponse();
    const timing = parseServerTiming(response.headers.get('server-timing'));
    expectSane(timing, DELAY_MS);
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
    expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ gatewayMs: timing.gateway, upstreamFirstByteMs: timing.upstream });
  });

  test('an Anthropic stream through its SDK', async () => {
    suite.upstream.behaviour = delayed(DELAY_MS);
    const client = new Anthropic({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/anthropic`, maxRetries: 0 });
    const { data: stream, response } = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }], stream: true }).withResponse();
    expectSane(parseServerTiming(response.headers.get('server-timing')), DELAY_MS);
    for await (const event of stream) void event;
  });

  test('with failover, upstream is the sum of every attempt before the head, not only the one that answered', async () => {
    suite.upstream.behaviour = async (req, res) => {
      await sleep(DELAY_MS);
      if (req.headers.authorization !== `Bearer ${K1}`) return 'default' as const;
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } }));
      return undefined;
    };
    const { response } = await openai().chat.completions.create(CHAT).withResponse();
    expect(suite.upstream.requests).toHaveLength(2);
    expectSane(parseServerTiming(response.headers.get('server-timing')), 2 * DELAY_MS);
    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
    const [ended] = suite.gw.recorder.interceptionEnds;
    expect(ended.attempts).toHaveLength(2);
    expect(ended.upstreamFirstByteMs).toBeGreaterThanOrEqual(2 * DELAY_MS - TIMER_SLACK_MS);
  });

  test('an error the bridge answers itself (no actor): gateway time only, nothing upstream', async () => {
    const res = await fetch(`${suite.gw.url}/openai/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(CHAT),
    });
    expect(res.status).toBe(401);
    expectSane(parseServerTiming(res.headers.get('server-timing')));
    expect(suite.upstream.requests).toHaveLength(0);
  });

  test('an upstream error relayed as it came, and a gateway error after an upstream call, carry both times; the record has the code', async () => {
    suite.upstream.behaviour = async (_req, res) => {
      await sleep(DELAY_MS);
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'boom', type: 'server_error', code: null } }));
    };
    const relayed = await fetch(`${suite.gw.url}/openai/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' }, body: JSON.stringify(CHAT),
    });
    expect(relayed.status).toBe(500);
    expectSane(parseServerTiming(relayed.headers.get('server-timing')), DELAY_MS);

    // Both keys refused: the bridge answers 502 in the provider's shape after two upstream calls.
    suite.upstream.behaviour = async (_req, res) => {
      await sleep(DELAY_MS);
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } }));
    };
    const gw = await startGateway({ providers: [openaiProvider({ keys: [K1, K2], baseURL: suite.upstream.url })] });
    try {
      const exhausted = await fetch(`${gw.url}/openai/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' }, body: JSON.stringify(CHAT),
      });
      expect(exhausted.status).toBe(502);
      const timing = parseServerTiming(exhausted.headers.get('server-timing'));
      expectSane(timing, 2 * DELAY_MS);
      await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
      expect(gw.recorder.interceptionEnds[0]).toMatchObject({
        status: 'failed', httpStatus: 502, errorCode: expect.any(String), gatewayMs: timing.gateway, upstreamFirstByteMs: timing.upstream,
      });
    } finally {
      await gw.close();
    }
  });

  test('passthrough: a proxied answer and a refused one', async () => {
    suite.upstream.behaviour = delayed(DELAY_MS);
    const { response } = await openai().models.list().withResponse();
    expect(response.status).toBe(200);
    expectSane(parseServerTiming(response.headers.get('server-timing')), DELAY_MS);

    const refused = await fetch(`${suite.gw.url}/openai/v1/models`);
    expect(refused.status).toBe(401);
    expectSane(parseServerTiming(refused.headers.get('server-timing')));
  });
});

describe('serverTiming: false', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ providers: [openaiProvider({ keys: [K1], baseURL: suite.upstream.url })], serverTiming: false });
  });
  afterAll(() => gw.close());

  test('no header on any answer; the end record still carries the times', async () => {
    const client = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/openai/v1`, maxRetries: 0 });
    suite.upstream.behaviour = delayed(DELAY_MS);
    const blocking = await client.chat.completions.create(CHAT).withResponse();
    expect(blocking.response.headers.has('server-timing')).toBe(false);
    const streamed = await client.chat.completions.create({ ...CHAT, stream: true }).withResponse();
    expect(streamed.response.headers.has('server-timing')).toBe(false);
    for await (const chunk of streamed.data) void chunk;
    const models = await client.models.list().withResponse();
    expect(models.response.headers.has('server-timing')).toBe(false);
    const refused = await fetch(`${gw.url}/openai/v1/models`);
    expect(refused.status).toBe(401);
    expect(refused.headers.has('server-timing')).toBe(false);

    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(2));
    for (const ended of gw.recorder.interceptionEnds) {
      expect(ended.gatewayMs).toBeGreaterThanOrEqual(0);
      expect(ended.upstreamFirstByteMs).toBeGreaterThanOrEqual(DELAY_MS - TIMER_SLACK_MS);
    }
  });

  test('the option is validated', () => {
    expect(() => createBridge({ providers: [openaiProvider({ keys: [K1] })], actor: testActor, serverTiming: 'yes' as never })).toThrow(/serverTiming/);
  });
});
