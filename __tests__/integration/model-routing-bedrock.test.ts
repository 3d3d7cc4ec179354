/** A model route across wire-compatible providers: Anthropic and Bedrock behind one `claude-*` rule, each the other's fallback. */
import Anthropic from '@anthropic-ai/sdk';
import { anthropicProvider, bedrockProvider } from '../../lib';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { ACCESS_KEYS, startFakeBedrock, type FakeBedrock } from '../helpers/bedrock-upstream';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';

const ANT_KEY = 'sk-ant-route-bedrock-0000000000000001';
const INVOKED = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
let ant: FakeUpstream;
let bedrock: FakeBedrock;

beforeAll(async () => {
  ant = await startFakeOpenAI();
  bedrock = await startFakeBedrock({ credentials: [ACCESS_KEYS] });
});
afterAll(async () => {
  await bedrock.close();
  await ant.close();
});
beforeEach(() => {
  ant.requests.length = 0;
  ant.behaviour = undefined;
  bedrock.requests.length = 0;
  bedrock.throttled.clear();
});

/** A fresh bridge (fresh key state): one route per order, the model mapped on Bedrock. */
function gateway(): Promise<Gateway> {
  return startGateway({
    providers: [
      anthropicProvider({ keys: [ANT_KEY], baseURL: ant.origin }),
      bedrockProvider({ region: 'us-east-1', baseURL: bedrock.url, credentials: ACCESS_KEYS, models: { 'claude-test-sonnet': INVOKED } }),
    ],
    routes: [
      { name: 'claude', rules: [{ model: 'claude-*', providers: ['anthropic', 'bedrock'] }] },
      { name: 'claude-aws-first', rules: [{ model: 'claude-*', providers: ['bedrock', 'anthropic'] }] },
    ],
  });
}

const client = (g: Gateway, route: string) => new Anthropic({ apiKey: 'unused', baseURL: `${g.url}/${route}`, maxRetries: 0, defaultHeaders: { 'x-user-token': 'user-token-alice' } });
const ask = { model: 'claude-test-sonnet', max_tokens: 32, messages: [{ role: 'user' as const, content: 'Hi' }] };

/** Records of both ends, joined by id, once `n` interceptions ended. */
async function ended(g: Gateway, n: number) {
  await eventually(() => expect(g.recorder.interceptionEnds).toHaveLength(n));
  return g.recorder.interceptions.map((start) => ({ ...start, end: g.recorder.interceptionEnds.find((e) => e.id === start.id)! }));
}

async function streamedText(g: Gateway, route: string): Promise<string> {
  const stream = client(g, route).messages.stream(ask);
  const final = await stream.finalMessage();
  return final.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
}

test('Anthropic\'s only key cooling after a 429: Bedrock serves the request, blocking and streamed, recorded as bedrock', async () => {
  const g = await gateway();
  try {
    ant.behaviour = (_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '60' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your rate limit.' } }));
    };
    const answer = await client(g, 'claude').messages.create(ask);
    expect(answer.content[0]).toMatchObject({ type: 'text' });
    expect(ant.requests).toHaveLength(1);
    expect(bedrock.requests.map((r) => r.path)).toEqual([`/model/${encodeURIComponent(INVOKED)}/invoke`]);
    expect(bedrock.requests[0].auth).toMatchObject({ kind: 'sigv4', accessKeyId: ACCESS_KEYS.accessKeyId });
    // The key still cools: the stream goes to Bedrock without calling Anthropic.
    expect((await streamedText(g, 'claude')).length).toBeGreaterThan(0);
    expect(ant.requests).toHaveLength(1);
    expect(bedrock.requests.map((r) => r.path)).toHaveLength(2);
    expect(bedrock.requests[1].path).toBe(`/model/${encodeURIComponent(INVOKED)}/invoke-with-response-stream`);
    const records = await ended(g, 4);
    expect(records.map((r) => [r.providerName, r.streaming, r.end.status, r.end.httpStatus])).toEqual([
      ['anthropic', false, 'failed', 429], ['bedrock', false, 'completed', 200],
      ['anthropic', true, 'failed', 429], ['bedrock', true, 'completed', 200],
    ]);
    for (const served of [records[1], records[3]]) expect(served).toMatchObject({ provider: 'bedrock', model: 'claude-test-sonnet', upstreamModel: INVOKED });
    expect(records[0].end.errorMessage).toContain('went on to provider "bedrock"');
    expect(g.bridge.stats().routes?.claude).toEqual({ routed: 2, fallbacks: 2, unmatched: 0 });
  } finally {
    await g.close();
  }
});

test('Bedrock throttled: Anthropic serves the request, blocking and streamed, with its own key', async () => {
  const g = await gateway();
  try {
    bedrock.throttled.add(ACCESS_KEYS.accessKeyId);
    const answer = await client(g, 'claude-aws-first').messages.create(ask);
    expect(answer.content[0]).toMatchObject({ type: 'text' });
    expect(bedrock.requests).toHaveLength(1);
    expect(ant.requests).toHaveLength(1);
    expect(ant.requests[0].headers['x-api-key']).toBe(ANT_KEY);
    expect(ant.requests[0].json).toMatchObject({ model: 'claude-test-sonnet' });
    expect((await streamedText(g, 'claude-aws-first')).length).toBeGreaterThan(0);
    // The Bedrock credential cools: not tried again.
    expect(bedrock.requests).toHaveLength(1);
    expect(ant.requests).toHaveLength(2);
    const records = await ended(g, 4);
    expect(records.map((r) => [r.providerName, r.streaming, r.end.status, r.end.httpStatus])).toEqual([
      ['bedrock', false, 'failed', 429], ['anthropic', false, 'completed', 200],
      ['bedrock', true, 'failed', 429], ['anthropic', true, 'completed', 200],
    ]);
    expect(records[0]).toMatchObject({ model: 'claude-test-sonnet', upstreamModel: INVOKED });
    expect(records[0].end.errorMessage).toContain('went on to provider "anthropic"');
    expect(records[1]).toMatchObject({ provider: 'anthropic', model: 'claude-test-sonnet' });
  } finally {
    await g.close();
  }
});

test('Bedrock throttling a stream in its first frame (after a 200): Anthropic serves it, as after an HTTP 429', async () => {
  const g = await gateway();
  try {
    bedrock.streamException = { afterEvents: 0, type: 'throttlingException', message: 'Too many tokens, please wait before trying again.' };
    expect((await streamedText(g, 'claude-aws-first')).length).toBeGreaterThan(0);
    expect(bedrock.requests).toHaveLength(1);
    expect(ant.requests).toHaveLength(1);
    const records = await ended(g, 2);
    expect(records.map((r) => [r.providerName, r.end.status, r.end.httpStatus])).toEqual([['bedrock', 'failed', 429], ['anthropic', 'completed', 200]]);
    const pools = await g.bridge.keyPoolStatus();
    expect(pools.find((p) => p.provider === 'bedrock')?.keys.map((k) => k.state)).toEqual(['cooling']);
  } finally {
    bedrock.streamException = undefined;
    await g.close();
  }
});
