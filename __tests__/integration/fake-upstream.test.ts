/** The shared fake upstream itself, over real HTTP: transcripts, key checks, scripted tool turns, bench shapes, echo. */
import OpenAI from 'openai';
import { startFakeUpstream, textStreamEvents, type FakeUpstream } from '../../fake-upstream';

const post = (fake: FakeUpstream, body: unknown, key = 'sk-any'): Promise<Response> =>
  fetch(`${fake.url}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The `data:` payloads of an SSE body. */
const dataOf = (text: string): string[] => text.split('\n\n').filter(Boolean).map((e) => e.replace(/^data: /, ''));

describe('fake upstream: defaults', () => {
  let fake: FakeUpstream;
  beforeAll(async () => (fake = await startFakeUpstream()));
  afterAll(() => fake.close());

  test('replays the blocking transcript with its headers, and logs the request', async () => {
    const res = await post(fake, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req_123');
    expect(((await res.json()) as any).choices[0].message.content).toBe('Hello there!');
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', url: '/v1/chat/completions', json: { model: 'gpt-4o-mini' } });
  });

  test.each([true, false])('replays the streamed transcript (include_usage %s), counted as a completed stream', async (includeUsage) => {
    const before = fake.streams.completed;
    const res = await post(fake, { model: 'gpt-4o-mini', messages: [], stream: true, stream_options: { include_usage: includeUsage } });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(dataOf(await res.text())).toEqual(textStreamEvents(includeUsage));
    // The server sees its response close just after the client has read the end.
    for (let i = 0; i < 100 && fake.streams.completed === before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(fake.streams).toMatchObject({ active: 0, completed: before + 1, closedEarly: 0 });
  });

  test('a body that is not JSON gets an OpenAI-shaped 400; an unknown route a 404', async () => {
    const bad = await fetch(`${fake.url}/chat/completions`, { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: null } });
    const missing = await fetch(`${fake.url}/files`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { message: 'Unknown request URL: GET /v1/files.', type: 'invalid_request_error', param: null, code: 'unknown_url' } });
  });

  test('a behaviour that throws becomes a 500 in the API\'s error shape, not a hung request', async () => {
    fake.behaviour = () => {
      throw new Error('broken behaviour');
    };
    try {
      const res = await fetch(`${fake.url}/models`);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: { message: 'fake upstream: broken behaviour', type: 'server_error', param: null, code: null } });
    } finally {
      fake.behaviour = undefined;
    }
  });

  test('bench-s<chunks>-d<delayMs> models stream that many chunks', async () => {
    const res = await post(fake, { model: 'bench-s7-d1', messages: [], stream: true, stream_options: { include_usage: true } });
    const events = dataOf(await res.text());
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -2).map((e) => JSON.parse(e));
    expect(chunks).toHaveLength(7);
    expect(chunks.every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
  });
});

describe('fake upstream: keys', () => {
  let fake: FakeUpstream;
  beforeAll(async () => (fake = await startFakeUpstream({ keys: ['sk-good'], rateLimitedKeys: ['sk-cool'], retryAfterSeconds: 60 })));
  afterAll(() => fake.close());

  test('accepts its key', async () => {
    const client = new OpenAI({ apiKey: 'sk-good', baseURL: fake.url, maxRetries: 0 });
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['gpt-4o-mini']);
  });

  test.each([['another key', 'sk-bad'], ['no key', undefined]])('answers %s with OpenAI\'s 401, on every route', async (_label, key) => {
    for (const path of ['/chat/completions', '/models', '/nowhere']) {
      const res = await fetch(`${fake.url}${path}`, { method: 'POST', headers: key ? { authorization: `Bearer ${key}` } : {}, body: '{}' });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    }
  });

  test('answers a rate-limited key with 429 and retry-after', async () => {
    const res = await post(fake, { model: 'gpt-4o-mini', messages: [] }, 'sk-cool');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(((await res.json()) as any).error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
  });

  test('refuses unknown or bad options by name', async () => {
    await expect(startFakeUpstream({ keys: [] })).rejects.toThrow('startFakeUpstream: option `keys` must be a non-empty array');
    await expect(startFakeUpstream({ chunkDelay: 1 } as never)).rejects.toThrow('option `chunkDelay` is not a known option');
  });
});

describe('fake upstream: scripted tool turns', () => {
  let fake: FakeUpstream;
  beforeAll(async () => (fake = await startFakeUpstream()));
  afterAll(() => fake.close());

  const tool = (name: string) => ({ type: 'function', function: { name, parameters: { type: 'object' } } });
  const tools = [tool('bmcp_other_thing'), tool('bmcp_demo_server_time'), tool('bmcp_demo_word_count')];

  test('calls an offered tool it knows when asked, blocking', async () => {
    const res = await post(fake, { model: 'gpt-4o-mini', tools, messages: [{ role: 'user', content: 'What time is it?' }] });
    const body = (await res.json()) as any;
    expect(body.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: { content: null, tool_calls: [{ id: 'call_fake_bmcp_demo_server_time', type: 'function', function: { name: 'bmcp_demo_server_time', arguments: '{}' } }] },
    });
  });

  test('builds arguments from the question, streamed in pieces', async () => {
    const res = await post(fake, { model: 'gpt-4o-mini', tools, stream: true, messages: [{ role: 'user', content: 'Count the words in "a b c"' }] });
    const chunks = dataOf(await res.text()).slice(0, -1).map((e) => JSON.parse(e));
    const args = chunks.flatMap((c) => c.choices[0].delta.tool_calls ?? []).map((t: any) => t.function.arguments).join('');
    expect(JSON.parse(args)).toEqual({ text: 'a b c' });
    expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls');
  });

  test('does not call a tool it was not asked for, nor one it does not know', async () => {
    const res = await post(fake, { model: 'gpt-4o-mini', tools, messages: [{ role: 'user', content: 'Hello' }] });
    expect(((await res.json()) as any).choices[0].message.content).toBe('Hello there!');
  });

  test('after the tool result, answers with text quoting it', async () => {
    const messages = [
      { role: 'user', content: 'What time is it?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'bmcp_demo_server_time', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: '2030-01-01T00:00:00.000Z' }] },
    ];
    const res = await post(fake, { model: 'gpt-4o', tools, messages });
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ model: 'gpt-4o', choices: [{ finish_reason: 'stop', message: { content: 'The tool bmcp_demo_server_time answered: 2030-01-01T00:00:00.000Z' } }] });
  });
});

describe('fake upstream: echo', () => {
  test('quotes the question word by word, paced, with word-counted usage', async () => {
    const fake = await startFakeUpstream({ echo: true, chunkDelayMs: 5 });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: fake.url, maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'm1', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Is this thing on?' }] });
      let text = '';
      let usage;
      for await (const c of stream) {
        text += c.choices[0]?.delta?.content ?? '';
        usage = c.usage ?? usage;
      }
      expect(text).toContain('You asked: "Is this thing on?"');
      expect(usage).toMatchObject({ completion_tokens: text.split(/\s+/).length });
    } finally {
      await fake.close();
    }
  });
});
