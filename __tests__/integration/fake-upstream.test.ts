/** The shared fake upstream itself, over real HTTP: transcripts, key checks, scripted tool turns, bench shapes, echo; chat, Responses, Messages. */
import fs from 'node:fs';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { loadTranscripts, responsesTranscript, startFakeUpstream, textStreamEvents, type FakeUpstream } from '../../lib/testing/fixtures';
// The example app's scripted calls of its demo tools: what these suites check the fake does with `toolCalls`.
import { DEMO_TOOL_CALLS } from '../../example-app/offline-tools';

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
  beforeAll(async () => (fake = await startFakeUpstream({ toolCalls: DEMO_TOOL_CALLS })));
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

/** `event:` name and parsed data of each event of an SSE body. */
const eventsOf = (text: string): Array<{ name: string; data: any }> => text.split('\n\n').filter(Boolean).map((e) => {
  const [head, data] = e.split('\n');
  return { name: head.slice(7), data: JSON.parse(data.slice(6)) };
});

describe('fake upstream: Anthropic Messages', () => {
  let fake: FakeUpstream;
  beforeAll(async () => (fake = await startFakeUpstream({ keys: ['sk-ant-good'], rateLimitedKeys: ['sk-ant-cool'], retryAfterSeconds: 60, toolCalls: DEMO_TOOL_CALLS })));
  afterAll(() => fake.close());
  const sdk = (auth: { apiKey?: string; authToken?: string } = { apiKey: 'sk-ant-good' }) => new Anthropic({ ...auth, baseURL: fake.origin, maxRetries: 0 });
  const send = (route: string, body: unknown, headers: Record<string, string> = { 'x-api-key': 'sk-ant-good', 'anthropic-version': '2023-06-01' }) =>
    fetch(`${fake.origin}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const ask = { model: 'claude-test', max_tokens: 64, messages: [{ role: 'user' as const, content: 'What time is it?' }] };
  const timeTool = { name: 'bmcp_demo_server_time', input_schema: { type: 'object' as const } };

  test('the SDK reads the blocking and the streamed transcripts, with their usage; x-api-key or a bearer token', async () => {
    const answer = await sdk().messages.create({ ...ask, messages: [{ role: 'user', content: 'hi' }] });
    expect(answer).toMatchObject({ id: 'msg_fake_default', content: [{ type: 'text', text: 'Hello there!' }], usage: { input_tokens: 12, cache_read_input_tokens: 2, output_tokens: 5 } });
    const final = await sdk({ authToken: 'sk-ant-good' }).messages.stream({ ...ask, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect(final).toMatchObject({ id: 'msg_fake_stream', content: [{ type: 'text', text: 'Hello wörld 👋' }], usage: { input_tokens: 9, output_tokens: 3 } });
    expect(fake.missingHeaders).toEqual([]);
  });

  test('keys: another key gets Anthropic\'s 401, a rate-limited one its 429 with retry-after', async () => {
    const refused = await send('/v1/messages', ask, { 'x-api-key': 'sk-ant-bad' });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
    const cooling = await send('/v1/messages', ask, { authorization: 'Bearer sk-ant-cool' });
    expect(cooling.status).toBe(429);
    expect(cooling.headers.get('retry-after')).toBe('60');
    expect(((await cooling.json()) as any).error.type).toBe('rate_limit_error');
  });

  test('a missing anthropic-version is accepted but noted; bad JSON and unknown routes answer in Anthropic\'s shape', async () => {
    const before = fake.missingHeaders.length;
    expect((await send('/v1/messages', ask, { 'x-api-key': 'sk-ant-good' })).status).toBe(200);
    expect(fake.missingHeaders.slice(before)).toEqual([{ header: 'anthropic-version', method: 'POST', url: '/v1/messages' }]);
    const bad = await send('/v1/messages', '{nope');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.any(String) } });
    const missing = await send('/v1/complete', {});
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ type: 'error', error: { type: 'not_found_error', message: 'Not found: POST /v1/complete' } });
  });

  test('GET /v1/models answers the API the request looks like; count_tokens counts words', async () => {
    const claude = await fetch(`${fake.origin}/v1/models`, { headers: { 'x-api-key': 'sk-ant-good', 'anthropic-version': '2023-06-01' } });
    expect(((await claude.json()) as any).data[0]).toMatchObject({ type: 'model', id: 'claude-sonnet-4-5' });
    const openai = await new OpenAI({ apiKey: 'sk-ant-good', baseURL: fake.url, maxRetries: 0 }).models.list();
    expect(openai.data.map((m) => m.id)).toEqual(['gpt-4o-mini']);
    expect(await sdk().messages.countTokens({ model: 'claude-test', messages: [{ role: 'user', content: 'one two three' }] })).toEqual({ input_tokens: 9 });
  });

  test('a behaviour that throws on an Anthropic route becomes Anthropic\'s 500', async () => {
    fake.behaviour = () => {
      throw new Error('broken behaviour');
    };
    try {
      const res = await send('/v1/messages', ask);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ type: 'error', error: { type: 'api_error', message: 'fake upstream: broken behaviour' } });
    } finally {
      fake.behaviour = undefined;
    }
  });

  test('calls an offered tool it knows when asked (blocking and streamed), then quotes the tool_result', async () => {
    const call = await sdk().messages.create({ ...ask, tools: [{ name: 'client_fn', input_schema: { type: 'object' } }, timeTool] });
    expect(call).toMatchObject({ stop_reason: 'tool_use', content: [{ type: 'tool_use', id: 'toolu_fake_bmcp_demo_server_time', name: 'bmcp_demo_server_time', input: {} }] });
    const words = await sdk().messages.stream({ ...ask, messages: [{ role: 'user', content: 'Count the words in "a b c"' }], tools: [{ ...timeTool, name: 'bmcp_demo_word_count' }] }).finalMessage();
    expect(words.content).toEqual([{ type: 'tool_use', id: 'toolu_fake_bmcp_demo_word_count', name: 'bmcp_demo_word_count', input: { text: 'a b c' } }]);
    const quoted = await sdk().messages.create({
      ...ask, model: 'claude-other', tools: [timeTool],
      messages: [...ask.messages, { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'bmcp_demo_server_time', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '2030-01-01T00:00:00.000Z' }] }] }],
    });
    expect(quoted).toMatchObject({ model: 'claude-other', stop_reason: 'end_turn', content: [{ type: 'text', text: 'The tool bmcp_demo_server_time answered: 2030-01-01T00:00:00.000Z' }] });
  });

  test('bench-s<chunks>-d<delayMs> models stream that many text deltas, the output tokens to match', async () => {
    const events = eventsOf(await (await send('/v1/messages', { ...ask, model: 'bench-s7-d1', stream: true })).text());
    expect(events.filter((e) => e.name === 'content_block_delta').map((e) => e.data.delta.text)).toEqual(Array(7).fill('tok '));
    expect(events.at(-2)!.data.usage).toEqual({ output_tokens: 7 });
    expect(events.at(-1)!.name).toBe('message_stop');
  });
});

describe('fake upstream: OpenAI Responses', () => {
  let fake: FakeUpstream;
  let client: OpenAI;
  beforeAll(async () => {
    fake = await startFakeUpstream({ keys: ['sk-good'], toolCalls: DEMO_TOOL_CALLS });
    client = new OpenAI({ apiKey: 'sk-good', baseURL: fake.url, maxRetries: 0 });
  });
  afterAll(() => fake.close());
  const fn = (name: string) => ({ type: 'function' as const, name, parameters: { type: 'object' }, strict: false });

  test('the SDK reads the blocking and the streamed transcripts, with their usage; a wrong key gets OpenAI\'s 401', async () => {
    const answer = await client.responses.create({ model: 'gpt-5-mini', input: 'hi' });
    expect(answer).toMatchObject({ id: 'resp_fake_default', output_text: 'Hello there!', usage: { input_tokens: 12, output_tokens: 5, total_tokens: 17 } });
    const final = await client.responses.stream({ model: 'gpt-5-mini', input: 'hi' }).finalResponse();
    expect(final).toMatchObject({ id: 'resp_fake_stream', output_text: 'Hello wörld 👋', usage: { input_tokens: 9, output_tokens: 3 } });
    const refused = await fetch(`${fake.url}/responses`, { method: 'POST', headers: { authorization: 'Bearer sk-bad' }, body: '{}' });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as any).error.code).toBe('invalid_api_key');
  });

  test('calls an offered function tool it knows when asked (blocking and streamed), then quotes its output', async () => {
    const call = await client.responses.create({ model: 'gpt-5', input: 'What time is it?', tools: [fn('shell_fn'), fn('bmcp_demo_server_time')] });
    expect(call.output).toEqual([{ id: 'fc_fake_bmcp_demo_server_time', type: 'function_call', status: 'completed', call_id: 'call_fake_bmcp_demo_server_time', name: 'bmcp_demo_server_time', arguments: '{}' }]);
    const input = [{ role: 'user' as const, content: [{ type: 'input_text' as const, text: 'Count the words in "a b c"' }] }];
    const streamed = await client.responses.stream({ model: 'gpt-5', input, tools: [fn('bmcp_demo_word_count')] }).finalResponse();
    expect(streamed.output).toEqual([expect.objectContaining({ type: 'function_call', name: 'bmcp_demo_word_count', arguments: '{"text":"a b c"}' })]);
    const quoted = await client.responses.create({
      model: 'gpt-5.1', tools: [fn('bmcp_demo_server_time')],
      input: [{ role: 'user', content: 'What time is it?' }, { type: 'function_call', call_id: 'c1', name: 'bmcp_demo_server_time', arguments: '{}' }, { type: 'function_call_output', call_id: 'c1', output: 'noon' }],
    });
    expect(quoted).toMatchObject({ model: 'gpt-5.1', output_text: 'The tool bmcp_demo_server_time answered: noon' });
    // Chained on a conversation, only the output comes back: the call id names the tool.
    const chained = await client.responses.create({ model: 'gpt-5', input: [{ type: 'function_call_output', call_id: 'call_fake_bmcp_demo_server_time', output: 'noon' }] });
    expect(chained.output_text).toBe('The tool bmcp_demo_server_time answered: noon');
  });

  test('bench-s<chunks>-d<delayMs> models stream that many text deltas, numbered in order', async () => {
    const res = await fetch(`${fake.url}/responses`, { method: 'POST', headers: { authorization: 'Bearer sk-good' }, body: JSON.stringify({ model: 'bench-s7-d1', stream: true, input: 'x' }) });
    const events = eventsOf(await res.text());
    expect(events.filter((e) => e.name === 'response.output_text.delta')).toHaveLength(7);
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_e, i) => i));
    expect(events.at(-1)!.data.response).toMatchObject({ status: 'completed', usage: { output_tokens: 7 } });
  });
});

describe('fake upstream: .sse transcripts', () => {
  test('are kept byte for byte (CRs included) and split into events that join back to the file', () => {
    const file = fs.readFileSync(path.join(__dirname, '..', '..', 'lib', 'testing', 'fake', 'transcripts', 'responses', 'malformed.sse'));
    expect(file.includes('\r\n')).toBe(true);
    expect(responsesTranscript('malformed').equals(file)).toBe(true);
    const t = loadTranscripts('anthropic')['thinking-text'] as { events: Buffer[]; body: Buffer };
    expect(Buffer.concat(t.events).equals(t.body)).toBe(true);
    expect(t.events.every((e) => e.toString('utf8').endsWith('\n\n'))).toBe(true);
  });
});
