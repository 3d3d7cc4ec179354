/** bedrockProvider's parts: options checked (never showing a secret), body and betas, model mapping, SigV4 as the fake Bedrock checks it. */
import { bedrockProvider } from '../../lib';
import { signingCredential } from '../../lib/keypool/credentials';
import { bedrockBetas, bedrockBody } from '../../lib/providers/bedrock/bedrock-body';
import { cachedCredentials } from '../../lib/providers/bedrock/bedrock-credentials';
import { BEDROCK_FAILURES, classifyBedrockFailure } from '../../lib/providers/bedrock/bedrock-errors';
import { modelMapping } from '../../lib/providers/bedrock/bedrock-models';
import { requestSigner } from '../../lib/providers/bedrock/bedrock-signing';
import type { OutgoingRequest } from '../../lib/providers/provider-hooks';
import { verify } from '../../lib/testing/fake/bedrock/sigv4.js';
import { encodedSegmentsPath } from '../../lib/http/path-guard';

const KEYS = { accessKeyId: 'AKIAUNITTEST00000001', secretAccessKey: 'unitSecret/000000000000000000000000000000001' };

describe('options', () => {
  test.each([
    [{}, 'region'],
    [{ region: 'mars' }, 'region'],
    [{ region: 'us-east-1', keys: ['k'] }, 'keys'],
    [{ region: 'us-east-1', apiKeys: ['a'], credentials: KEYS }, 'apiKeys'],
    [{ region: 'us-east-1', apiKeys: [] }, 'apiKeys'],
    [{ region: 'us-east-1', apiKeys: ['a', 'a'] }, 'apiKeys[1]'],
    [{ region: 'us-east-1', externalId: 'x' }, 'externalId'],
    [{ region: 'us-east-1', roleArn: 'not-an-arn' }, 'roleArn'],
    [{ region: 'us-east-1', model: 'bad model/../x' }, 'model'],
    [{ region: 'us-east-1', models: { a: 'ok', b: 'no spaces allowed' } }, 'models.b'],
    [{ region: 'us-east-1', credentials: { ...KEYS, secretAccessKey: 'has a space' } }, 'credentials.secretAccessKey'],
    [{ region: 'us-east-1', byok: true }, 'byok'],
    [{ region: 'us-east-1', name: 'Bad Name', credentials: KEYS }, 'name'],
  ])('%j → an error naming %s', (options, option) => {
    expect(() => bedrockProvider(options as never)).toThrow(new RegExp(`bedrockProvider.*${option.replace(/[[\].]/g, '\\$&')}`));
  });

  test('an error about a credential never shows it', () => {
    let message = '';
    try {
      bedrockProvider({ region: 'us-east-1', credentials: { accessKeyId: KEYS.accessKeyId, secretAccessKey: 'secret with space 123' } });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/credentials\.secretAccessKey/);
    expect(message).not.toContain('secret with space');
  });

  test('defaults: name bedrock, the regional endpoint, kind bedrock, no passthrough routes, no BYOK', () => {
    const p = bedrockProvider({ region: 'eu-west-3', credentials: KEYS });
    expect(p).toMatchObject({ name: 'bedrock', kind: 'bedrock', baseURL: 'https://bedrock-runtime.eu-west-3.amazonaws.com', byok: false, passthrough: [] });
    expect(p.apis.map((a) => a.route)).toEqual(['/v1/messages']);
    expect(p.credentials.entries.map((e) => e.hint)).toEqual(['AKIA...0001']);
    expect(p.credentials.entries[0].secrets).toEqual([KEYS.accessKeyId, KEYS.secretAccessKey]);
  });
});

describe('body and betas', () => {
  test('model and stream (and fields Bedrock refuses) go, the rest keeps its bytes, version and betas are added', () => {
    const raw = Buffer.from('{"model":"claude-x", "max_tokens": 5,"messages":[{"role":"user","content":"é \\u00e9"}],"stream":true,"service_tier":"auto","container":"c","mcp_servers":[],"anthropic_beta":["forged"],"metadata":{"user_id":"u"}}');
    const out = bedrockBody(raw, ['interleaved-thinking-2025-05-14']).toString();
    expect(out).toBe('{"max_tokens":5,"messages":[{"role":"user","content":"é \\u00e9"}],"metadata":{"user_id":"u"},"anthropic_version":"bedrock-2023-05-31","anthropic_beta":["interleaved-thinking-2025-05-14"]}');
    expect(bedrockBody(Buffer.from('{}'), []).toString()).toBe('{"anthropic_version":"bedrock-2023-05-31"}');
  });

  test('betas: only the allowlisted, each once, from one or several headers', () => {
    expect(bedrockBetas(undefined)).toEqual([]);
    expect(bedrockBetas('claude-code-20250219, interleaved-thinking-2025-05-14,oauth-2025-04-20')).toEqual(['interleaved-thinking-2025-05-14']);
    expect(bedrockBetas(['context-1m-2025-08-07', 'context-1m-2025-08-07,output-128k-2025-02-19'])).toEqual(['context-1m-2025-08-07', 'output-128k-2025-02-19']);
  });
});

test('model mapping: the map, Bedrock ids as they are, haiku → smallFastModel, the rest → model', () => {
  const map = modelMapping({ models: new Map([['claude-3-5-haiku-latest', 'mapped-haiku']]), model: 'default-id', smallFastModel: 'fast-id' });
  expect(map('claude-3-5-haiku-latest')).toBe('mapped-haiku');
  expect(map('us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
  expect(map('anthropic.claude-3-haiku-20240307-v1:0')).toBe('anthropic.claude-3-haiku-20240307-v1:0');
  expect(map('arn:aws:bedrock:us-east-1:123456789012:inference-profile/x')).toBe('arn:aws:bedrock:us-east-1:123456789012:inference-profile/x');
  expect(map('claude-haiku-4-5')).toBe('fast-id');
  expect(map('claude-opus-4-1')).toBe('default-id');
  expect(modelMapping({ models: new Map(), model: undefined, smallFastModel: undefined })('claude-opus-4-1')).toBe('claude-opus-4-1');
});

test('failures: a refused credential (403 with its exception type) fails over; access to a model is relayed; throttling cools', () => {
  expect(classifyBedrockFailure(403, { 'x-amzn-errortype': 'UnrecognizedClientException:http://internal.amazon.com/' }, '{"message":"The security token included in the request is invalid."}')).toBe('key_failure');
  expect(classifyBedrockFailure(403, { 'x-amzn-errortype': 'ExpiredTokenException' }, '{"message":"expired"}')).toBe('key_failure');
  expect(classifyBedrockFailure(403, { 'x-amzn-errortype': 'AccessDeniedException' }, '{"message":"You don\'t have access to the model with the specified model ID."}')).toBe('request_fault');
  expect(classifyBedrockFailure(429, { 'x-amzn-errortype': 'ThrottlingException' }, '{"message":"Too many requests"}')).toBe('key_failure');
  expect(classifyBedrockFailure(403, {}, '{"message":"The security token included in the request is expired"}')).toBe('key_failure');
  for (const rule of BEDROCK_FAILURES) expect([rule.example, classifyBedrockFailure(rule.statuses[0], {}, rule.example)]).toEqual([rule.example, rule.class]);
});

describe('SigV4, checked by the fake Bedrock', () => {
  const host = '127.0.0.1:4567';
  const fake = { region: 'us-west-2', credentials: [KEYS], apiKeys: [], expired: new Set<string>() };

  async function signed(body = '{"max_tokens":1}', now = new Date()): Promise<OutgoingRequest> {
    const request: OutgoingRequest = { method: 'POST', path: '/model/us.anthropic.claude-x-v1%3A0/invoke', query: '', headers: { 'content-type': 'application/json', 'user-agent': 'x' }, body: Buffer.from(body) };
    await requestSigner('us-west-2', `http://${host}`)(request, signingCredential(KEYS), now);
    return request;
  }
  const check = (r: OutgoingRequest, change: Partial<{ url: string; body: Buffer; headers: Record<string, unknown> }> = {}) => verify(
    { method: r.method, url: change.url ?? r.path, headers: { host, ...r.headers, ...change.headers } }, change.body ?? r.body, fake,
  );

  test('a signed request verifies; its secret is nowhere in its headers', async () => {
    const r = await signed();
    expect(await check(r)).toMatchObject({ ok: true, auth: { kind: 'sigv4', accessKeyId: KEYS.accessKeyId } });
    expect(JSON.stringify(r.headers)).not.toContain(KEYS.secretAccessKey);
    expect(r.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAUNITTEST00000001\/\d{8}\/us-west-2\/bedrock\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, /);
  });

  test('a changed body, path or content type, or an old signature, does not verify', async () => {
    const r = await signed();
    expect(await check(r, { body: Buffer.from('{"max_tokens":2}') })).toMatchObject({ ok: false, status: 403, type: 'InvalidSignatureException' });
    expect(await check(r, { url: '/model/other/invoke' })).toMatchObject({ ok: false, type: 'InvalidSignatureException' });
    expect(await check(r, { headers: { 'content-type': 'text/plain' } })).toMatchObject({ ok: false, type: 'InvalidSignatureException' });
    const old = await signed(undefined, new Date(Date.now() - 20 * 60_000));
    expect(await check(old)).toMatchObject({ ok: false, message: expect.stringMatching(/expired/) });
  });

  test('each attempt is signed at its own time', async () => {
    const a = await signed(undefined, new Date('2026-01-01T00:00:00Z'));
    const b = await signed(undefined, new Date('2026-01-01T00:00:01Z'));
    expect(a.headers['x-amz-date']).toBe('20260101T000000Z');
    expect(b.headers['x-amz-date']).toBe('20260101T000001Z');
    expect(a.headers.authorization).not.toBe(b.headers.authorization);
  });
});

describe('cached credentials', () => {
  test('loaded once, shared by concurrent attempts; renewed at most half-way through their life; a failed renewal keeps the valid ones', async () => {
    let clock = 1_000_000;
    let loads = 0;
    let fail = false;
    const source = cachedCredentials(async () => {
      loads++;
      if (fail) throw new Error('no');
      return { accessKeyId: `ASIAUNITTEST0000000${loads}`, secretAccessKey: 's', sessionToken: `t${loads}`, expiration: new Date(clock + 10_000) };
    }, 'test', 60_000, () => clock);
    const [a, b] = await Promise.all([source.current(0), source.current(0)]);
    expect(a).toBe(b);
    expect(loads).toBe(1);
    expect(source.current(0)).toBe(a); // synchronous while fresh
    clock += 5_001; // past half its life
    fail = true;
    expect(source.current(0)).toBe(a); // still valid: served while a renewal is tried
    await new Promise((r) => setImmediate(r));
    expect(loads).toBe(2);
    expect(source.current(0)).toBe(a); // the failed renewal is not retried on every attempt
    expect(loads).toBe(2);
    fail = false;
    clock += 5_000; // expired: the next attempt waits for new credentials
    const renewed = await source.current(0);
    expect(renewed).toMatchObject({ type: 'signing', sessionToken: 't3', hint: 'ASIA...0003' });
  });
});

test('path segments: each encoded whole (an ARN\'s "/" as %2F); one holding a dot segment or a separator trick is refused', () => {
  expect(encodedSegmentsPath(['model', 'arn:aws:bedrock:us-east-1:1:inference-profile/us.x-v1:0', 'invoke'])).toBe('/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.x-v1%3A0/invoke');
  for (const bad of ['..', '.', 'x/../admin', 'x/..', '..\\admin', 'x;y', '%2e%2e', '', 'a\nb', '．．']) {
    expect(encodedSegmentsPath(['model', bad, 'invoke'])).toBeUndefined();
  }
  expect(encodedSegmentsPath([])).toBeUndefined();
});
