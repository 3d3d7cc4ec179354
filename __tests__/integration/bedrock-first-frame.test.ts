/**
 * bedrockProvider: a stream Bedrock answers 200 whose very first frame is a `throttlingException` is that credential's
 * 429: the key cools and the next one serves, or, with none left, the client gets the 429 (not a 200 error event).
 */
import Anthropic from '@anthropic-ai/sdk';
import { bedrockProvider } from '../../lib';
import { anthropicScript } from '../helpers/anthropic-script';
import { API_KEYS, startFakeBedrock, type FakeBedrock } from '../helpers/bedrock-upstream';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';

let bedrock: FakeBedrock;
let gw: Gateway;

beforeAll(async () => {
  bedrock = await startFakeBedrock({ apiKeys: API_KEYS });
});
afterAll(async () => {
  await bedrock.close();
});
beforeEach(async () => {
  bedrock.requests.length = 0;
  bedrock.inner.behaviour = anthropicScript([{ text: 'Served by the second key.' }]);
  bedrock.streamException = { afterEvents: 0, type: 'throttlingException', message: 'Too many tokens, please wait before trying again.' };
});
afterEach(async () => {
  await gw.close();
});

const client = () => new Anthropic({ apiKey: 'unused', baseURL: `${gw.url}/bedrock`, maxRetries: 0, defaultHeaders: { 'x-user-token': 'user-token-alice' } });
const ask = { model: 'claude-test-sonnet', max_tokens: 64, messages: [{ role: 'user' as const, content: 'Hallo!' }] };

test('two API keys: the first cools as rate-limited, the second serves the whole stream', async () => {
  gw = await startGateway({ providers: [bedrockProvider({ region: 'us-east-1', baseURL: bedrock.url, apiKeys: API_KEYS })] });
  const final = await client().messages.stream(ask).finalMessage();
  expect(final.content).toMatchObject([{ type: 'text', text: 'Served by the second key.' }]);
  expect(bedrock.requests.map((r) => r.auth)).toEqual([{ kind: 'bearer', key: API_KEYS[0] }, { kind: 'bearer', key: API_KEYS[1] }]);
  const [pool] = await gw.bridge.keyPoolStatus();
  expect(pool.keys.map((k) => [k.state, k.reason])).toEqual([['cooling', 'rate_limited'], ['healthy', undefined]]);
  // The upstream connection of the refused attempt was let go: the fake saw its stream end or be cut.
  await eventually(() => expect(bedrock.streams.completed + bedrock.streams.closedEarly).toBe(2));
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
  expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed', httpStatus: 200 });
});

test('one credential: the client gets the 429 Bedrock meant, as Anthropic\'s rate_limit_error, and the credential cools', async () => {
  gw = await startGateway({ providers: [bedrockProvider({ region: 'us-east-1', baseURL: bedrock.url, apiKeys: [API_KEYS[0]] })] });
  const err = await client().messages.create({ ...ask, stream: true }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Anthropic.RateLimitError);
  expect((err as InstanceType<typeof Anthropic.RateLimitError>).error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  const [pool] = await gw.bridge.keyPoolStatus();
  expect(pool.keys.map((k) => k.state)).toEqual(['cooling']);
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
  expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: 429, errorType: 'rate_limited' });
});
