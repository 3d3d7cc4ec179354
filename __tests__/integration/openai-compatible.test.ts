/**
 * openaiCompatibleProvider against a fake compatible server, with the real OpenAI SDK: Azure's classic deployment
 * paths and v1 paths with `api-key`, a keyless server, OpenRouter's comment lines, static headers, a server without
 * usage (recorded as not reported, never zero), `includeUsage: false`, and key failover.
 */
import OpenAI from 'openai';
import { openaiCompatibleProvider } from '../../lib';
import { COMMENT, FILTER_CHUNK, startCompatibleUpstream, USAGE, type CompatibleUpstream } from '../helpers/compatible-upstream';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';

const AZ = ['az-key-classic-000000000000000001', 'az-key-classic-000000000000000002'];
const AZ_V1 = 'az-key-v1-0000000000000000000003';
const ROUTER = 'sk-or-router-000000000000000000004';
const ALL_KEYS = [...AZ, AZ_V1, ROUTER];
const VERSION = '2024-10-21';

let upstream: CompatibleUpstream;
let gw: Gateway;

beforeAll(async () => {
  upstream = await startCompatibleUpstream();
  const o = upstream.origin;
  gw = await startGateway({
    providers: [
      openaiCompatibleProvider({ name: 'azure', baseURL: o, keys: AZ, azure: { apiVersion: VERSION, deployments: { 'gpt-4o': 'prod-4o' } } }),
      openaiCompatibleProvider({ name: 'azure-v1', baseURL: `${o}/openai/v1/`, keys: [AZ_V1], azure: { apiVersion: 'v1' } }),
      openaiCompatibleProvider({ name: 'local', baseURL: `${o}/v1` }),
      openaiCompatibleProvider({ name: 'router', baseURL: `${o}/api/v1`, keys: [ROUTER], headers: { 'HTTP-Referer': 'https://app.example', 'X-Title': 'Test app' } }),
      openaiCompatibleProvider({ name: 'plain', baseURL: `${o}/v1`, includeUsage: false }),
    ],
  });
});
afterAll(async () => {
  await gw.close();
  await upstream.close();
});
beforeEach(() => {
  upstream.reset();
  gw.recorder.clear();
});

const client = (name: string, headers: Record<string, string> = {}) =>
  new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/${name}/v1`, maxRetries: 0, defaultHeaders: headers });
const question = (model = 'gpt-4o') => ({ model, messages: [{ role: 'user' as const, content: 'Say hello.' }] });

async function streamedText(name: string, body: Record<string, unknown> = {}): Promise<string> {
  const stream = await client(name).chat.completions.create({ ...question(), ...body, stream: true });
  let text = '';
  for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
  return text;
}

/** The one interception's records, once it ended. */
async function onlyRecords() {
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
  return gw.recorder.forInterception(gw.recorder.interceptionEnds[0].id);
}

function expectNoKeyInRecordsOrLogs(): void {
  const seen = JSON.stringify([gw.recorder.interceptions, gw.recorder.interceptionEnds, gw.recorder.tokenUsages, gw.recorder.passthroughs]) + gw.logs.lines.join('\n');
  for (const key of ALL_KEYS) expect(seen).not.toContain(key);
}

describe('Azure, classic deployment paths', () => {
  test('a mapped model goes to its deployment with api-version and api-key; the body is the client\'s', async () => {
    const { data, response } = await client('azure').chat.completions.create(question()).withResponse();
    expect(data.choices[0].message.content).toBe('Hello there.');
    const [sent] = upstream.requests;
    expect(sent.url).toBe(`/openai/deployments/prod-4o/chat/completions?api-version=${VERSION}`);
    expect(sent.headers['api-key']).toBe(AZ[0]);
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.json).toEqual(question());
    const r = await onlyRecords();
    expect(r.ended).toMatchObject({ id: response.headers.get('x-aibridge-interception-id'), status: 'completed', credentialHint: expect.stringContaining('...') });
    expect(r.interception).toMatchObject({ provider: 'azure-openai', providerName: 'azure', model: 'gpt-4o' });
    expect(r.tokenUsages).toEqual([expect.objectContaining({ input: 7, output: 3 })]);
    expect(r.ended!.extra).toBeUndefined();
    expectNoKeyInRecordsOrLogs();
  });

  test('an unmapped model is its own deployment; a client\'s api-version is replaced, its other query kept', async () => {
    await client('azure').chat.completions.create(question('gpt-4o-mini'), { query: { 'api-version': '2023-05-15', trace: '1' } });
    expect(upstream.requests[0].path).toBe('/openai/deployments/gpt-4o-mini/chat/completions');
    expect(upstream.requests[0].query.getAll('api-version')).toEqual([VERSION]);
    expect(upstream.requests[0].query.get('trace')).toBe('1');
  });

  test('a stream asks for usage, records it, and the client never sees the usage chunk', async () => {
    const stream = await client('azure').chat.completions.create({ ...question(), stream: true });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('Hello there.');
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(upstream.requests[0].json.stream_options).toEqual({ include_usage: true });
    const r = await onlyRecords();
    expect(r.tokenUsages).toEqual([expect.objectContaining({ input: 7, output: 3 })]);
  });

  test('a stream opening with Azure\'s content-filter chunk reaches the client whole and is recorded under the real id', async () => {
    upstream.behaviour.filterChunk = true;
    const res = await fetch(`${gw.url}/azure/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' },
      body: JSON.stringify({ ...question(), stream: true }),
    });
    const text = await res.text();
    expect(text.startsWith(`data: ${FILTER_CHUNK}\n\n`)).toBe(true);
    expect(await streamedText('azure')).toBe('Hello there.');
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(2));
    expect(gw.recorder.tokenUsages.map((u) => u.msgId)).toEqual(['chatcmpl-compat', 'chatcmpl-compat']);
  });

  test('Responses and passthrough go under /openai with api-version', async () => {
    const answer = await client('azure').responses.create({ model: 'gpt-4o', input: 'hi' });
    expect(answer.output_text).toBe('Hi from responses.');
    const models = await client('azure').models.list();
    expect(models.data.map((m) => m.id)).toEqual(['gpt-4o']);
    expect(upstream.requests.map((r) => r.url)).toEqual([`/openai/responses?api-version=${VERSION}`, `/openai/models?api-version=${VERSION}`]);
    for (const r of upstream.requests) expect(r.headers['api-key']).toBe(AZ[0]);
  });

  test('a refused key fails over to the next; both attempts are recorded by hint, never by key', async () => {
    upstream.behaviour.refuse = { [AZ[0]]: 401 };
    const answer = await client('azure').chat.completions.create(question());
    expect(answer.choices[0].message.content).toBe('Hello there.');
    expect(upstream.requests.map((r) => r.headers['api-key'])).toEqual(AZ);
    const r = await onlyRecords();
    expect(r.ended!.attempts!.map((a) => a.httpStatus)).toEqual([401, 200]);
    expect(r.ended!.attempts![0].credentialHint).not.toBe(r.ended!.attempts![1].credentialHint);
    expectNoKeyInRecordsOrLogs();
    // The refused key is cooling: the next request starts with the second.
    upstream.reset();
    await client('azure').chat.completions.create(question());
    expect(upstream.requests.map((r) => r.headers['api-key'])).toEqual([AZ[1]]);
  });
});

test('Azure v1: OpenAI\'s paths under /openai/v1, no api-version, api-key', async () => {
  const answer = await client('azure-v1').chat.completions.create(question('my-deployment'));
  expect(answer.choices[0].message.content).toBe('Hello there.');
  expect(upstream.requests[0].url).toBe('/openai/v1/chat/completions');
  expect(upstream.requests[0].headers['api-key']).toBe(AZ_V1);
  expect(upstream.requests[0].headers.authorization).toBeUndefined();
  await client('azure-v1').responses.create({ model: 'my-deployment', input: 'hi' });
  expect(upstream.requests[1].url).toBe('/openai/v1/responses');
});

test('a keyless server gets no auth header, whatever the client sent; recorded with the hint "no key"', async () => {
  const answer = await client('local', { 'api-key': 'client-sent-key' }).chat.completions.create(question('llama3'));
  expect(answer.choices[0].message.content).toBe('Hello there.');
  expect(upstream.requests[0].url).toBe('/v1/chat/completions');
  expect(upstream.requests[0].headers.authorization).toBeUndefined();
  expect(upstream.requests[0].headers['api-key']).toBeUndefined();
  const r = await onlyRecords();
  expect(r.interception).toMatchObject({ provider: 'openai-compatible', credentialKind: 'centralized' });
  expect(r.ended).toMatchObject({ status: 'completed', credentialHint: 'no key' });
  expect(r.tokenUsages).toHaveLength(1);
});

describe('OpenRouter-like server', () => {
  test('comment lines never break the stream: the client reads it whole, usage is recorded, the comments reach it', async () => {
    upstream.behaviour.comments = true;
    expect(await streamedText('router')).toBe('Hello there.');
    const r = await onlyRecords();
    expect(r.ended).toMatchObject({ status: 'completed' });
    expect(r.tokenUsages).toEqual([expect.objectContaining({ input: USAGE.prompt_tokens, output: USAGE.completion_tokens })]);
    expect(upstream.requests[0].url).toBe('/api/v1/chat/completions');
    expect(upstream.requests[0].headers.authorization).toBe(`Bearer ${ROUTER}`);
  });

  test('the raw stream keeps the comment lines and every chunk', async () => {
    upstream.behaviour.comments = true;
    const res = await fetch(`${gw.url}/router/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' },
      body: JSON.stringify({ ...question(), stream: true }),
    });
    const text = await res.text();
    expect(text.split(COMMENT.trim()).length - 1).toBeGreaterThanOrEqual(5);
    expect(text).toContain('"content":" there."');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text).not.toContain('"usage"');
  });

  test('static headers are sent on bridged and passthrough routes, replacing the client\'s', async () => {
    await client('router', { 'X-Title': 'client title' }).chat.completions.create(question());
    await client('router').models.list();
    for (const r of upstream.requests) {
      expect(r.headers['http-referer']).toBe('https://app.example');
      expect(r.headers['x-title']).toBe('Test app');
    }
    expect(upstream.requests.map((r) => r.url)).toEqual(['/api/v1/chat/completions', '/api/v1/models']);
  });
});

describe('usage the server does not report', () => {
  test('includeUsage: false sends the stream as the client wrote it; no usage → no token record, the end says not reported', async () => {
    expect(await streamedText('plain')).toBe('Hello there.');
    const sent = upstream.requests[0];
    expect(sent.json.stream_options).toBeUndefined();
    expect(sent.body).toBe(JSON.stringify({ ...question(), stream: true }));
    const r = await onlyRecords();
    expect(r.tokenUsages).toEqual([]);
    expect(r.ended).toMatchObject({ status: 'completed', extra: { usageNotReported: 1 } });
  });

  test('includeUsage: false still relays usage the client asked for itself', async () => {
    const stream = await client('plain').chat.completions.create({ ...question(), stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.at(-1)?.usage).toEqual(USAGE);
    const r = await onlyRecords();
    expect(r.tokenUsages).toEqual([expect.objectContaining({ input: 7, output: 3 })]);
    expect(r.ended!.extra).toBeUndefined();
  });

  test('a blocking answer without usage is recorded as not reported, never as zero tokens', async () => {
    upstream.behaviour.usage = false;
    const answer = await client('local').chat.completions.create(question('llama3'));
    expect(answer.usage).toBeUndefined();
    const r = await onlyRecords();
    expect(r.tokenUsages).toEqual([]);
    expect(r.ended!.extra).toEqual({ usageNotReported: 1 });
  });

  test('a stream whose server ignores include_usage is recorded as not reported', async () => {
    upstream.behaviour.usage = false;
    expect(await streamedText('local')).toBe('Hello there.');
    expect(upstream.requests[0].json.stream_options).toEqual({ include_usage: true });
    const r = await onlyRecords();
    expect(r.tokenUsages).toEqual([]);
    expect(r.ended!.extra).toEqual({ usageNotReported: 1 });
  });
});
