/** bedrockProvider, blocking: signed with SigV4 at the attempt's time, body and path as Bedrock wants them, the answer relayed as is. */
import Anthropic from '@anthropic-ai/sdk';
import { bedrockProvider } from '../../lib';
import { anthropicMessage, anthropicScript } from '../helpers/anthropic-script';
import { ACCESS_KEYS, startFakeBedrock, type FakeBedrock } from '../helpers/bedrock-upstream';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';

let bedrock: FakeBedrock;
let gw: Gateway;

beforeAll(async () => {
  bedrock = await startFakeBedrock({ credentials: [ACCESS_KEYS] });
  gw = await startGateway({
    providers: [
      bedrockProvider({ region: 'us-east-1', baseURL: bedrock.url, credentials: ACCESS_KEYS, model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' }),
      bedrockProvider({ name: 'wrong', region: 'us-east-1', baseURL: bedrock.url, credentials: { ...ACCESS_KEYS, secretAccessKey: 'notTheSecret/000000000000000000000000000000' } }),
    ],
  });
});
afterAll(async () => {
  await gw.close();
  await bedrock.close();
});
beforeEach(() => {
  bedrock.requests.length = 0;
  bedrock.inner.behaviour = undefined;
  gw.recorder.clear();
});

const client = (name = 'bedrock') => new Anthropic({ apiKey: 'user-token-alice', baseURL: `${gw.url}/${name}`, maxRetries: 0, defaultHeaders: { 'x-user-token': 'user-token-alice' } });

test('a blocking answer is the Anthropic message Bedrock returned, byte for byte; the request was signed and rewritten', async () => {
  bedrock.inner.behaviour = anthropicScript([{ text: 'Five.' }]);
  const { data, response } = await client().messages.create({ model: 'claude-test-sonnet', max_tokens: 64, messages: [{ role: 'user', content: 'What is 2+3?' }] }).withResponse();
  expect(data.content).toEqual([{ type: 'text', text: 'Five.' }]);
  expect(response.headers.get('x-aibridge-interception-id')).toBeTruthy();
  expect(bedrock.requests).toHaveLength(1);
  const [r] = bedrock.requests;
  expect(r.auth).toMatchObject({ kind: 'sigv4', accessKeyId: ACCESS_KEYS.accessKeyId });
  expect(r.path).toBe('/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke');
  expect(r.modelId).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
  expect(r.json).toMatchObject({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 64 });
  expect(r.json).not.toHaveProperty('model');
  expect(r.json).not.toHaveProperty('stream');
  for (const h of ['anthropic-version', 'x-api-key', 'anthropic-beta']) expect(r.headers).not.toHaveProperty(h);
  expect(JSON.stringify(r.headers)).not.toContain(ACCESS_KEYS.secretAccessKey);
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
  expect(gw.recorder.interceptions[0]).toMatchObject({ provider: 'bedrock', providerName: 'bedrock', model: 'claude-test-sonnet', upstreamModel: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' });
  expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed', httpStatus: 200, credentialHint: 'AKIA...0001' });
});

test('the body the client gets is exactly the one Bedrock sent', async () => {
  bedrock.inner.behaviour = anthropicScript([{ text: 'Exactly.' }]);
  const res = await fetch(`${gw.url}/bedrock/v1/messages`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' },
    body: JSON.stringify({ model: 'claude-test-sonnet', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(res.status).toBe(200);
  expect(await res.text()).toBe(JSON.stringify(anthropicMessage({ text: 'Exactly.' }, 0)));
});

test('a wrong secret: Bedrock refuses the signature (403), a failure of the credential (cooled, like a 401), answered in Anthropic\'s shape', async () => {
  const answer = client('wrong').messages.create({ model: 'claude-test-sonnet', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });
  await expect(answer).rejects.toMatchObject({ status: 502, error: { type: 'error', error: { type: 'api_error', message: 'All configured keys failed authentication.' } } });
  expect(bedrock.requests).toHaveLength(1);
  expect(bedrock.requests[0].auth).toBeUndefined();
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
  expect(gw.recorder.interceptionEnds[0].attempts).toEqual([expect.objectContaining({ httpStatus: 403, credentialHint: 'AKIA...0001' })]);
  const pools = await gw.bridge.keyPoolStatus();
  expect(pools.find((p) => p.provider === 'wrong')!.keys).toEqual([expect.objectContaining({ hint: 'AKIA...0001', state: 'cooling' })]);
});

test('a model name that would climb out of its path segment is refused (400), nothing sent upstream', async () => {
  const gwNoDefault = await startGateway({ providers: [bedrockProvider({ region: 'us-east-1', baseURL: bedrock.url, credentials: ACCESS_KEYS })] });
  try {
    for (const model of ['../../admin', 'x/../../admin', '..']) {
      const answer = new Anthropic({ apiKey: 'unused', baseURL: `${gwNoDefault.url}/bedrock`, maxRetries: 0, defaultHeaders: { 'x-user-token': 'user-token-alice' } })
        .messages.create({ model, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });
      await expect(answer).rejects.toMatchObject({ status: 400, error: { type: 'error', error: { type: 'invalid_request_error' } } });
    }
    expect(bedrock.requests).toHaveLength(0);
  } finally {
    await gwNoDefault.close();
  }
});

test('no passthrough: Anthropic\'s /v1/models is not a Bedrock route (404 in Anthropic\'s shape), nothing sent upstream', async () => {
  const res = await fetch(`${gw.url}/bedrock/v1/models`, { headers: { 'x-user-token': 'user-token-alice' } });
  expect(res.status).toBe(404);
  expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  expect(bedrock.requests).toHaveLength(0);
});
