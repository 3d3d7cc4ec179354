/** Embeddings and legacy completions are bridged like chat: the key pool, records with usage, OpenAI-shaped errors, nothing injected. */
import OpenAI from 'openai';
import { openaiProvider } from '../../lib';
import { bridgeSuite, eventually } from '../helpers/gateway';
import { bearer, keyedUpstream, keysSeen } from '../helpers/keyed-upstream';
import { TestInjector } from '../helpers/test-injector';
import { COMPLETION_USAGE, EMBEDDING, embeddingsAndCompletions } from '../helpers/embeddings-completions-upstream';

const KEY_A = 'sk-embed-key-a-000000000000000001';
const KEY_B = 'sk-embed-key-b-000000000000000002';
// A cooled key stays cooled for the whole file: each failover test has a pool of its own.
const POOL = ['sk-embed-pool-000000000000000003', 'sk-embed-pool-000000000000000004'];
const SPARE = ['sk-embed-spare-00000000000000005', 'sk-embed-spare-00000000000000006'];
const injector = new TestInjector();
const suite = bridgeSuite((url) => ({
  providers: [
    openaiProvider({ baseURL: url, keys: [KEY_A, KEY_B] }),
    openaiProvider({ name: 'pool', baseURL: url, keys: POOL }),
    openaiProvider({ name: 'spare', baseURL: url, keys: SPARE }),
  ],
  tools: injector,
}));
const sdk = (provider = 'openai') => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/${provider}/v1`, maxRetries: 0 });

async function oneInterception() {
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  return suite.gw.recorder.interceptions[0];
}

describe('embeddings', () => {
  test('the SDK\'s default (base64) request is relayed as sent and recorded with its input tokens and prompt', async () => {
    suite.upstream.behaviour = embeddingsAndCompletions;
    const res = await sdk().embeddings.create({ model: 'text-embedding-3-small', input: 'The quick brown fox' });
    expect(res.data[0].embedding).toEqual(EMBEDDING);
    expect(res.usage).toEqual({ prompt_tokens: 8, total_tokens: 8 });
    const [sent] = suite.upstream.requests;
    expect(sent.url).toBe('/v1/embeddings');
    expect(sent.json).toEqual({ model: 'text-embedding-3-small', input: 'The quick brown fox', encoding_format: 'base64' });
    expect(sent.json.tools).toBeUndefined(); // an injector is configured: nothing is injected here

    const interception = await oneInterception();
    expect(interception).toMatchObject({ initiatorId: 'alice', route: '/v1/embeddings', model: 'text-embedding-3-small', streaming: false });
    expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed', httpStatus: 200 });
    await eventually(() => expect(suite.gw.recorder.tokenUsages).toHaveLength(1));
    expect(suite.gw.recorder.tokenUsages[0]).toMatchObject({ interceptionId: interception.id, input: 8, output: 0, cacheRead: 0, cacheWrite: 0 });
    expect(suite.gw.recorder.promptUsages).toEqual([expect.objectContaining({ interceptionId: interception.id, prompt: 'The quick brown fox' })]);
  });

  test('a batch of documents is recorded with its usage and priced; no prompt is recorded for it', async () => {
    suite.upstream.behaviour = embeddingsAndCompletions;
    const res = await sdk().embeddings.create({ model: 'text-embedding-3-small', input: ['doc one', 'doc two'], encoding_format: 'float' });
    expect(res.data.map((d) => d.index)).toEqual([0, 1]);
    await oneInterception();
    await eventually(() => expect(suite.gw.recorder.tokenUsages).toHaveLength(1));
    expect(suite.gw.recorder.promptUsages).toEqual([]);
    const totals = await suite.gw.recorder.totals();
    expect(totals.cost).toMatchObject({ estimate: true, unpricedModels: [] });
    expect(totals.cost.usd).toBeCloseTo((8 * 0.02) / 1e6, 12);
  });

  test('a rate-limited key fails over to the next one; the record names the key that answered', async () => {
    suite.upstream.behaviour = keyedUpstream({
      [bearer(POOL[0])]: { status: 429, headers: { 'retry-after': '30' }, body: { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } } },
      [bearer(POOL[1])]: embeddingsAndCompletions,
    });
    const res = await sdk('pool').embeddings.create({ model: 'text-embedding-3-small', input: 'failover', encoding_format: 'float' });
    expect(res.data[0].embedding).toEqual(EMBEDDING);
    expect(keysSeen(suite.upstream.requests)).toEqual(POOL);
    await oneInterception();
    expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed', credentialHint: expect.stringMatching(/0004$/) });
    const pool = (await suite.gw.bridge.keyPoolStatus()).find((p) => p.provider === 'pool')!;
    expect(pool.keys.map((k) => k.state)).toEqual(['cooling', 'healthy']);
  });

  test('a request the bridge refuses gets OpenAI\'s error shape, and nothing goes upstream', async () => {
    suite.upstream.behaviour = embeddingsAndCompletions;
    const refused = await sdk().embeddings.create({ model: 'text-embedding-3-small' } as never).catch((e) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect(refused.error).toMatchObject({ message: '`input` must be a string or an array.', type: 'invalid_request_error' });
    expect(suite.upstream.requests).toHaveLength(0);
  });

  test('an upstream error is relayed as OpenAI wrote it and recorded as failed', async () => {
    const error = { error: { message: "This model's maximum context length is 8192 tokens.", type: 'invalid_request_error', param: null, code: null } };
    suite.upstream.behaviour = keyedUpstream({ [bearer(KEY_A)]: { status: 400, body: error } });
    const failed = await sdk().embeddings.create({ model: 'text-embedding-3-small', input: 'x', encoding_format: 'float' }).catch((e) => e);
    expect(failed).toBeInstanceOf(OpenAI.BadRequestError);
    expect(failed.error).toEqual(error.error);
    expect(keysSeen(suite.upstream.requests)).toEqual([KEY_A]);
    await oneInterception();
    expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: 400 });
  });
});

describe('completions', () => {
  test('a blocking completion is relayed and recorded with its usage and prompt; no tools are injected', async () => {
    suite.upstream.behaviour = embeddingsAndCompletions;
    const res = await sdk().completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Hello' });
    expect(res.choices[0].text).toBe(' world');
    expect(res.usage).toEqual(COMPLETION_USAGE);
    expect(suite.upstream.requests[0].json).toEqual({ model: 'gpt-3.5-turbo-instruct', prompt: 'Hello' });
    const interception = await oneInterception();
    expect(interception).toMatchObject({ route: '/v1/completions', model: 'gpt-3.5-turbo-instruct', streaming: false });
    await eventually(() => expect(suite.gw.recorder.tokenUsages).toHaveLength(1));
    expect(suite.gw.recorder.tokenUsages[0]).toMatchObject({ input: 3, output: 2 });
    expect(suite.gw.recorder.promptUsages).toEqual([expect.objectContaining({ prompt: 'Hello' })]);
  });

  test('a stream is relayed as it came; usage is asked for on the client\'s behalf, recorded, and hidden from it', async () => {
    suite.upstream.behaviour = embeddingsAndCompletions;
    const stream = await sdk().completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Hello', stream: true });
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.text).join('')).toBe(' world');
    expect(chunks.every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
    expect(suite.upstream.requests[0].json.stream_options).toEqual({ include_usage: true });
    const interception = await oneInterception();
    expect(interception).toMatchObject({ route: '/v1/completions', streaming: true });
    expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed' });
    await eventually(() => expect(suite.gw.recorder.tokenUsages).toHaveLength(1));
    expect(suite.gw.recorder.tokenUsages[0]).toMatchObject({ input: 3, output: 2 });
  });

  test('a client that asks for usage gets the usage chunk', async () => {
    suite.upstream.behaviour = embeddingsAndCompletions;
    const stream = await sdk().completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: ['Hello'], stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: COMPLETION_USAGE });
    await oneInterception();
    await eventually(() => expect(suite.gw.recorder.tokenUsages).toHaveLength(1));
    expect(suite.gw.recorder.promptUsages).toEqual([expect.objectContaining({ prompt: 'Hello' })]);
  });

  test('a streamed request fails over before its first byte, and bad input is a 400 in OpenAI\'s shape', async () => {
    suite.upstream.behaviour = keyedUpstream({
      [bearer(SPARE[0])]: { status: 401, body: { error: { message: 'Incorrect API key provided: sk-emb***0005.', type: 'invalid_request_error', code: 'invalid_api_key' } } },
      [bearer(SPARE[1])]: embeddingsAndCompletions,
    });
    const stream = await sdk('spare').completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Hi', stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe(' world');
    expect(keysSeen(suite.upstream.requests)).toEqual(SPARE);

    const refused = await sdk().completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 7 } as never).catch((e) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect(refused.error).toMatchObject({ message: '`prompt` must be a string or an array.', type: 'invalid_request_error' });
    expect(suite.upstream.requests).toHaveLength(2);
  });
});

describe('the shipped fake upstream', () => {
  test('answers embeddings (the same vector for the same text, base64 or float) and completions, blocking and streamed', async () => {
    const [a, b] = await Promise.all([
      sdk().embeddings.create({ model: 'text-embedding-3-small', input: 'same text' }),
      sdk().embeddings.create({ model: 'text-embedding-3-small', input: ['same text', 'other text'], encoding_format: 'float' }),
    ]);
    expect(a.data[0].embedding).toHaveLength(8);
    expect(b.data[0].embedding).toEqual(a.data[0].embedding);
    expect(b.data[1].embedding).not.toEqual(a.data[0].embedding);
    expect(a.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });

    const blocking = await sdk().completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test' });
    expect(blocking.choices[0].text).toBe(' Echo: Say this is a test');
    const stream = await sdk().completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.text ?? '').join('')).toBe(blocking.choices[0].text);
    expect(chunks.at(-1)!.usage).toEqual(blocking.usage);
    await eventually(() => expect(suite.gw.recorder.tokenUsages).toHaveLength(4));
  });
});

describe('limits', () => {
  const limited = bridgeSuite((url) => ({
    providers: [openaiProvider({ baseURL: url, keys: ['sk-embed-limits-00000000000000007'] })],
    limits: [{ per: 'actor', tokens: { points: 10, windowMs: 60_000 } }],
  }));
  const client = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${limited.gw.url}/openai/v1`, maxRetries: 0 });

  test('embedding tokens count against a token budget; once spent, the next request gets OpenAI\'s 429', async () => {
    limited.upstream.behaviour = embeddingsAndCompletions;
    await client().embeddings.create({ model: 'text-embedding-3-small', input: 'one', encoding_format: 'float' }); // 8 of 10
    await client().embeddings.create({ model: 'text-embedding-3-small', input: 'two', encoding_format: 'float' }); // 16: spent past it
    const refused = await client().embeddings.create({ model: 'text-embedding-3-small', input: 'three', encoding_format: 'float' }).catch((e) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect(refused.error).toMatchObject({ type: 'rate_limit_error', code: 'budget_exceeded' });
    expect(limited.upstream.requests).toHaveLength(2);
  });
});
