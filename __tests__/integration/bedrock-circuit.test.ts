/**
 * Bedrock's throttling counts for the circuit breaker: its quota is the account's and the region's, not a key's, so
 * another credential seldom lifts it; an open circuit answers at once (and sends a model route's request on).
 */
import Anthropic from '@anthropic-ai/sdk';
import { bedrockProvider } from '../../lib';
import { anthropicScript } from '../helpers/anthropic-script';
import { API_KEYS, startFakeBedrock, type FakeBedrock } from '../helpers/bedrock-upstream';
import { startGateway, type Gateway } from '../helpers/gateway';

let bedrock: FakeBedrock;
let gw: Gateway;

beforeAll(async () => {
  bedrock = await startFakeBedrock({ apiKeys: API_KEYS });
  bedrock.inner.behaviour = anthropicScript([{ text: 'Fine.' }]);
  gw = await startGateway({
    providers: [bedrockProvider({ region: 'us-east-1', baseURL: bedrock.url, apiKeys: API_KEYS })],
    circuitBreaker: { failures: 1, openMs: 60_000 },
  });
});
afterAll(async () => {
  await gw.close();
  await bedrock.close();
});

const ask = (g: Gateway) => new Anthropic({ apiKey: 'unused', baseURL: `${g.url}/bedrock`, maxRetries: 0, defaultHeaders: { 'x-user-token': 'user-token-alice' } })
  .messages.create({ model: 'claude-test-sonnet', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] });

test('every key throttled opens the circuit: the next request gets the 503 circuit_open at once, nothing sent', async () => {
  for (const k of API_KEYS) bedrock.throttled.add(k);
  await expect(ask(gw)).rejects.toMatchObject({ status: 429, error: { error: { type: 'rate_limit_error' } } });
  const sent = bedrock.requests.length;
  await expect(ask(gw)).rejects.toMatchObject({ status: 503, error: { type: 'error', error: { type: 'overloaded_error' } } });
  expect(bedrock.requests).toHaveLength(sent);
  expect(gw.bridge.stats().breakers).toEqual([expect.objectContaining({ provider: 'bedrock', state: 'open' })]);
});

