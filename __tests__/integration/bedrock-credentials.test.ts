/**
 * bedrockProvider's credentials: a pool of Bedrock API keys with failover on throttling, a credentials function loaded
 * once and renewed before its session token expires, the AWS default chain; no secret in answers, records or logs.
 */
import Anthropic from '@anthropic-ai/sdk';
import { bedrockProvider, type AwsCredentials } from '../../lib';
import { anthropicScript } from '../helpers/anthropic-script';
import { ACCESS_KEYS, API_KEYS, startFakeBedrock, type AwsTestCredentials, type FakeBedrock } from '../helpers/bedrock-upstream';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';

let bedrock: FakeBedrock;
const gateways: Gateway[] = [];

beforeAll(async () => {
  bedrock = await startFakeBedrock({ credentials: [ACCESS_KEYS], apiKeys: API_KEYS });
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await bedrock.close();
});
beforeEach(() => {
  bedrock.requests.length = 0;
  bedrock.throttled.clear();
  bedrock.inner.behaviour = anthropicScript([{ text: 'Fine.' }]);
});

async function gatewayWith(options: Omit<Parameters<typeof bedrockProvider>[0], 'region' | 'baseURL'>): Promise<Gateway> {
  const gw = await startGateway({ providers: [bedrockProvider({ region: 'us-east-1', baseURL: bedrock.url, ...options })] });
  gateways.push(gw);
  return gw;
}

const ask = (gw: Gateway, stream = false) => {
  const client = new Anthropic({ apiKey: 'unused', baseURL: `${gw.url}/bedrock`, maxRetries: 0, defaultHeaders: { 'x-user-token': 'user-token-alice' } });
  const params = { model: 'claude-test-sonnet', max_tokens: 32, messages: [{ role: 'user' as const, content: 'hi' }] };
  return stream ? client.messages.stream(params).finalMessage() : client.messages.create(params);
};

describe('Bedrock API keys', () => {
  test('sent as a bearer token, unsigned; a throttled key fails over to the next and cools (429, a rate limit)', async () => {
    const gw = await gatewayWith({ apiKeys: API_KEYS });
    bedrock.throttled.add(API_KEYS[0]);
    expect((await ask(gw, true)).content).toEqual([{ type: 'text', text: 'Fine.' }]);
    expect(bedrock.requests.map((r) => r.auth)).toEqual([{ kind: 'bearer', key: API_KEYS[0] }, { kind: 'bearer', key: API_KEYS[1] }]);
    for (const r of bedrock.requests) expect(Object.keys(r.headers).filter((h) => h.startsWith('x-amz-'))).toEqual([]);
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
    expect(gw.recorder.interceptionEnds[0]).toMatchObject({
      status: 'completed', credentialHint: 'ABSK...0002',
      attempts: [expect.objectContaining({ httpStatus: 429, errorType: 'rate_limited', credentialHint: 'ABSK...0001' }), expect.objectContaining({ httpStatus: 200 })],
    });
    const [pool] = await gw.bridge.keyPoolStatus();
    expect(pool.keys).toEqual([expect.objectContaining({ hint: 'ABSK...0001', state: 'cooling', reason: 'rate_limited' }), expect.objectContaining({ state: 'healthy' })]);
    // The cooled key is not tried again while it cools.
    bedrock.requests.length = 0;
    await ask(gw);
    expect(bedrock.requests.map((r) => r.auth)).toEqual([{ kind: 'bearer', key: API_KEYS[1] }]);
  });

  test('every key throttled: a 429 rate_limit_error with Retry-After, in Anthropic\'s shape', async () => {
    const gw = await gatewayWith({ apiKeys: API_KEYS });
    for (const k of API_KEYS) bedrock.throttled.add(k);
    const answer = ask(gw);
    await expect(answer).rejects.toMatchObject({ status: 429, error: { type: 'error', error: { type: 'rate_limit_error' } } });
    await answer.catch((err: { headers: Headers }) => expect(Number(err.headers.get('retry-after'))).toBeGreaterThan(0));
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
    expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', errorType: 'rate_limited' });
  });
});

describe('a credentials function', () => {
  test('loaded once for many concurrent and later requests', async () => {
    let loads = 0;
    const gw = await gatewayWith({ credentials: async () => { loads++; await new Promise((r) => setTimeout(r, 20)); return { ...ACCESS_KEYS }; } });
    await Promise.all(Array.from({ length: 8 }, () => ask(gw)));
    await ask(gw, true);
    expect(loads).toBe(1);
    expect(bedrock.requests).toHaveLength(9);
    for (const r of bedrock.requests) expect(r.auth).toMatchObject({ kind: 'sigv4', accessKeyId: ACCESS_KEYS.accessKeyId });
  });

  test('a short-lived session token is renewed before it expires; the expired one is never sent', async () => {
    const issued: AwsTestCredentials[] = [];
    const load = async (): Promise<AwsCredentials> => {
      const n = issued.length + 1;
      const c = { accessKeyId: `ASIAFAKEBEDROCK0000${n}`, secretAccessKey: `sessionSecret/${n}00000000000000000000000000000000`, sessionToken: `FwoGZXIvYXdzEFAKE-session-token-${n}-0000000000` };
      issued.push(c);
      bedrock.credentials.push(c);
      return { ...c, expiration: new Date(Date.now() + 1_500) };
    };
    const gw = await gatewayWith({ credentials: load, refreshBeforeMs: 60_000 });
    await ask(gw);
    expect(issued).toHaveLength(1);
    // Past the renewal point (half the lifetime), still valid: served while the next is loaded.
    await new Promise((r) => setTimeout(r, 900));
    await ask(gw);
    await eventually(() => expect(issued).toHaveLength(2));
    bedrock.expired.add(issued[0].sessionToken!);
    await ask(gw, true);
    await ask(gw);
    expect(issued).toHaveLength(2);
    expect(bedrock.requests.map((r) => r.auth && (r.auth as { sessionToken?: string }).sessionToken)).toEqual([
      issued[0].sessionToken, issued[0].sessionToken, issued[1].sessionToken, issued[1].sessionToken,
    ]);
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(4));
    expect(gw.recorder.interceptionEnds.map((e) => e.credentialHint)).toEqual(['ASIA...0001', 'ASIA...0001', 'ASIA...0002', 'ASIA...0002']);
  });

  test('a loader that fails: the entry fails (502 in Anthropic\'s shape), its error text never reaches the client', async () => {
    const gw = await gatewayWith({ credentials: async () => { throw new Error('cannot reach the vault with token vault-secret-0000000001'); } });
    const answer = ask(gw);
    await expect(answer).rejects.toMatchObject({ status: 502, error: { type: 'error', error: { type: 'api_error' } } });
    await answer.catch((err: { error?: unknown }) => expect(JSON.stringify(err.error)).not.toContain('vault-secret'));
    expect(bedrock.requests).toHaveLength(0);
  });
});

test('without credentials: the AWS default chain (the optional @aws-sdk/credential-providers), here from the environment', async () => {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, token: process.env.AWS_SESSION_TOKEN };
  process.env.AWS_ACCESS_KEY_ID = ACCESS_KEYS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = ACCESS_KEYS.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  try {
    const gw = await gatewayWith({});
    await ask(gw);
    await ask(gw);
    expect(bedrock.requests.map((r) => r.auth)).toEqual([
      expect.objectContaining({ kind: 'sigv4', accessKeyId: ACCESS_KEYS.accessKeyId }), expect.objectContaining({ kind: 'sigv4', accessKeyId: ACCESS_KEYS.accessKeyId }),
    ]);
  } finally {
    for (const [name, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret], ['AWS_SESSION_TOKEN', saved.token]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});

test('no secret in answers, records or logs, even when Bedrock echoes one back', async () => {
  const withToken = { ...ACCESS_KEYS, accessKeyId: 'ASIAFAKEBEDROCKTOKEN1', sessionToken: 'FwoGZXIvYXdzEFAKE-echoed-session-token-000000001' };
  bedrock.credentials.push(withToken);
  const gw = await gatewayWith({ credentials: withToken });
  const secrets = [withToken.secretAccessKey, withToken.sessionToken, withToken.accessKeyId];
  bedrock.inner.behaviour = anthropicScript([{ error: { status: 400, type: 'invalid_request_error', message: `bad request signed by ${secrets.join(' / ')}` } }]);
  const answer = ask(gw);
  await expect(answer).rejects.toMatchObject({ status: 400, error: { type: 'error', error: { type: 'invalid_request_error' } } });
  const body = await answer.catch((err: { error?: unknown }) => JSON.stringify(err.error));
  expect(body).toContain('ASIA...KEN1');
  bedrock.inner.behaviour = anthropicScript([{ text: 'ok' }]);
  await ask(gw, true);
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(2));
  const everything = JSON.stringify([body, gw.recorder.interceptions, gw.recorder.interceptionEnds, gw.recorder.tokenUsages, gw.logs.lines]);
  for (const s of secrets) expect(everything).not.toContain(s);
  expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: 400, errorType: 'bad_request', credentialHint: 'ASIA...KEN1' });
});
