// Rate limits in process memory: requests per window and concurrency per actor, group and model, refused in each provider's 429 shape.
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { anthropicProvider, createDashboard, openaiProvider, type BridgeOptions } from '../../lib';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';
import { anthropicClient, header, holdAnswers, openaiClient, refusal, teamActor, until } from '../helpers/limits';

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
  gw = await startGateway({
    ...extra,
    actor: teamActor,
    providers: [
      openaiProvider({ baseURL: upstream.url, keys: ['sk-limits-openai-0000000001'] }),
      anthropicProvider({ baseURL: upstream.origin, keys: ['sk-ant-limits-000000000001'] }),
    ],
    limits,
  });
  return gw;
}

const chat = (g: Gateway, token?: string, model = 'gpt-4o-mini') =>
  openaiClient(g.url, token).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
const message = (g: Gateway, token?: string) =>
  anthropicClient(g.url, token).messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });

test('requests per window: the request over it gets OpenAI\'s 429 with Retry-After and x-ratelimit headers, before any upstream call, and is recorded', async () => {
  const g = await gateway([{ name: 'per-minute', per: 'actor', requests: { points: 2, windowMs: 60_000 } }]);
  await chat(g);
  await chat(g);
  const refused = await refusal(chat(g));
  expect(refused.status).toBe(429);
  expect(refused.error).toEqual({ message: expect.stringContaining('per-minute'), type: 'rate_limit_error', code: 'limit_exceeded' });
  const retryAfter = Number(header(refused.headers, 'retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(59);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(header(refused.headers, 'x-ratelimit-limit-requests')).toBe('2');
  expect(header(refused.headers, 'x-ratelimit-remaining-requests')).toBe('0');
  expect(header(refused.headers, 'x-ratelimit-reset-requests')).toMatch(/^(59s|1m0s)$/);
  expect(upstream.requests).toHaveLength(2);
  // Another actor has its own counter.
  await chat(g, 'tok-bob');
  await eventually(() => {
    const ended = g.recorder.interceptionEnds.find((e) => e.status === 'failed');
    expect(ended).toMatchObject({ status: 'failed', httpStatus: 429, errorType: 'rate_limited', errorCode: 'limit_exceeded' });
    const started = g.recorder.interceptions.find((i) => i.id === ended!.id);
    expect(started).toMatchObject({ initiatorId: 'alice', model: 'gpt-4o-mini' });
    expect(ended!.attempts).toBeUndefined();
  });
  expect(g.bridge.stats().limits).toEqual({ admitted: 3, limitExceeded: 1, budgetExceeded: 0, storeFailures: 0, failedClosed: 0 });
});

test('the Anthropic route answers in Anthropic\'s shape with anthropic-ratelimit headers', async () => {
  const g = await gateway([{ per: 'actor', requests: { points: 1, windowMs: 10_000 } }]);
  await message(g);
  const refused = await refusal(message(g));
  expect(refused.status).toBe(429);
  expect(refused.error).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: expect.stringContaining('limit-1') } });
  expect(header(refused.headers, 'anthropic-ratelimit-requests-limit')).toBe('1');
  expect(header(refused.headers, 'anthropic-ratelimit-requests-remaining')).toBe('0');
  const reset = Date.parse(header(refused.headers, 'anthropic-ratelimit-requests-reset')!);
  expect(reset - Date.now()).toBeGreaterThan(8_000);
  expect(reset - Date.now()).toBeLessThan(11_500);
  expect(header(refused.headers, 'x-ratelimit-limit-requests')).toBeNull();
  expect(header(refused.headers, 'retry-after')).toMatch(/^(9|10)$/);
});

test('concurrency exactly at the limit: of five at once, two go upstream and three are refused; a slot frees when a request ends', async () => {
  const g = await gateway([{ per: 'actor', concurrent: 2 }]);
  const hold = holdAnswers(upstream);
  let refused = 0;
  const results = Promise.all([0, 1, 2, 3, 4].map(() => chat(g).then(() => 200, (err: { status: number }) => {
    refused++;
    return err.status;
  })));
  // The two admitted are held upstream until the other three have their answer.
  await until(() => hold.state.held === 2 && refused === 3);
  hold.release();
  const statuses = await results;
  expect(statuses.filter((s) => s === 200)).toHaveLength(2);
  expect(statuses.filter((s) => s === 429)).toHaveLength(3);
  upstream.behaviour = undefined;
  // Every slot was given back: two at once pass again.
  await Promise.all([chat(g), chat(g)]);
  const [row] = await g.bridge.usageOf('alice');
  expect(row).toMatchObject({ name: 'limit-1', kind: 'concurrent', subject: 'alice', limit: 2, used: 0, remaining: 2 });
});

test('a streamed request that the client abandons gives its concurrency slot back', async () => {
  const g = await gateway([{ per: 'actor', concurrent: 1 }]);
  const hold = holdAnswers(upstream);
  const controller = new AbortController();
  const first = openaiClient(g.url).chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { signal: controller.signal });
  await until(() => hold.state.held === 1);
  expect((await refusal(chat(g))).status).toBe(429);
  controller.abort();
  await first.catch(() => undefined);
  await eventually(() => expect(g.recorder.interceptionEnds.some((e) => e.status === 'aborted')).toBe(true));
  hold.release();
  upstream.behaviour = undefined;
  await expect(chat(g)).resolves.toBeDefined();
});

test('per group from a metadata key: actors of one team share the counter; an actor without a team is not limited', async () => {
  const g = await gateway([{ name: 'team', per: 'group', groupOf: 'team', requests: { points: 2, windowMs: 60_000 } }]);
  await chat(g, 'tok-alice');
  await chat(g, 'tok-bob');
  expect((await refusal(chat(g, 'tok-alice'))).status).toBe(429);
  await chat(g, 'tok-carol'); // the blue team
  for (let i = 0; i < 3; i++) await chat(g, 'tok-dave');
  expect(await g.bridge.usageOf({ id: 'bob', metadata: { team: 'red' } })).toEqual([
    expect.objectContaining({ name: 'team', per: 'group', subject: 'red', unit: 'requests', limit: 2, used: 2, remaining: 0, windowMs: 60_000, resetsAt: expect.any(Date) }),
  ]);
  expect(await g.bridge.usageOf('dave')).toEqual([]);
});

test('per group from a function, and per model: only the models a limit names count against it', async () => {
  const g = await gateway([
    { name: 'mini', per: 'group', groupOf: (actor) => (actor.id === 'dave' ? 'solo' : undefined), models: /-mini$/, requests: { points: 1, windowMs: 60_000 } },
  ]);
  await chat(g, 'tok-dave', 'gpt-4o-mini');
  expect((await refusal(chat(g, 'tok-dave', 'gpt-4o-mini'))).status).toBe(429);
  await chat(g, 'tok-dave', 'gpt-4o');
  await chat(g, 'tok-alice', 'gpt-4o-mini');
  await chat(g, 'tok-alice', 'gpt-4o-mini');
  const [row] = await g.bridge.usageOf('dave');
  expect(row).toMatchObject({ subject: 'solo', models: '/-mini$/', used: 1 });
});

test('several limits on one request are all or nothing: a refusal by one gives back what the others took', async () => {
  const g = await gateway([
    { name: 'wide', per: 'actor', requests: { points: 10, windowMs: 60_000 } },
    { name: 'narrow', per: 'actor', requests: { points: 1, windowMs: 60_000 } },
  ]);
  await chat(g);
  expect((await refusal(chat(g))).status).toBe(429);
  expect((await refusal(chat(g))).status).toBe(429);
  const rows = await g.bridge.usageOf('alice');
  expect(rows.map((r) => [r.name, r.used])).toEqual([['wide', 1], ['narrow', 1]]);
});

test('without limits usageOf is empty and stats() has no limits entry', async () => {
  const g = await gateway(undefined);
  await chat(g);
  expect(await g.bridge.usageOf('alice')).toEqual([]);
  expect(g.bridge.stats().limits).toBeUndefined();
});

test('the dashboard\'s JSON endpoint reports an actor\'s standing on each limit', async () => {
  const g = await gateway([{ name: 'hourly', per: 'actor', requests: { points: 5, windowMs: 3_600_000 }, tokens: { points: 1000, windowMs: 3_600_000 } }]);
  await chat(g);
  const app = express().use('/admin', createDashboard({ query: g.recorder, bridge: g.bridge }));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const admin = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin`;
  try {
    const res = await fetch(`${admin}/api/limits?actor=alice`);
    expect(res.status).toBe(200);
    const body = await res.json() as { actor: string; limits: Array<Record<string, unknown>> };
    expect(body.actor).toBe('alice');
    expect(body.limits).toEqual([
      expect.objectContaining({ name: 'hourly', kind: 'requests', limit: 5, used: 1, remaining: 4, windowMs: 3_600_000 }),
      expect.objectContaining({ name: 'hourly', kind: 'tokens', limit: 1000, used: 15, remaining: 985 }),
    ]);
    expect(Date.parse(body.limits[0].resetsAt as string) - Date.now()).toBeGreaterThan(3_590_000);
    expect((await fetch(`${admin}/api/limits`)).status).toBe(400);
    expect((await fetch(`${admin}/api/limits?actor=alice&x=1`)).status).toBe(400);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('decisions are logged (throttled) and exposed as Prometheus series', async () => {
  const registry = new Registry();
  const g = await gateway([{ name: 'one', per: 'actor', requests: { points: 1, windowMs: 60_000 } }], { metrics: { registry } });
  await chat(g);
  await refusal(chat(g));
  await refusal(chat(g));
  const text = await registry.metrics();
  expect(text).toContain('aibridge_limit_decisions_total{decision="admitted"} 1');
  expect(text).toContain('aibridge_limit_decisions_total{decision="limit_exceeded"} 2');
  expect(text).toContain('aibridge_limit_store_failures_total 0');
  expect(text).toMatch(/aibridge_refusals_total\{provider="openai",reason="limit_exceeded"\} 2/);
  const lines = g.logs.lines.filter((l) => l.includes('a rate limit refused a request'));
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0])).toMatchObject({ level: 'info', limit: 'one', kind: 'requests', code: 'limit_exceeded' });
});

test('a request the circuit breaker refuses after the limits admitted it does not count against them', async () => {
  gw = await startGateway({
    actor: teamActor,
    // Nothing listens there: the first request fails upstream and opens the circuit.
    providers: [openaiProvider({ baseURL: 'http://127.0.0.1:9/v1', keys: ['sk-limits-breaker-000000001'] })],
    circuitBreaker: { failures: 1, openMs: 60_000 },
    limits: [{ name: 'n', per: 'actor', requests: { points: 5, windowMs: 60_000 }, concurrent: 1 }],
  });
  expect((await refusal(chat(gw))).status).toBe(502);
  const refused = await refusal(chat(gw));
  expect(refused.status).toBe(503);
  expect(refused.error).toMatchObject({ code: 'circuit_open' });
  await eventually(async () => expect((await gw!.bridge.usageOf('alice')).map((r) => [r.kind, r.used])).toEqual([['requests', 1], ['concurrent', 0]]));
});
