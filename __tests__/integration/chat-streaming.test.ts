import OpenAI from 'openai';
import { openaiProvider } from '../../lib';
import { textStreamEvents, chunk, writeSse } from '../helpers/fake-openai';
import { bridgeSuite, eventually } from '../helpers/gateway';

const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ keys: ['sk-pool-key-aaaaaaaaaaaaaaaa1234'], baseURL: url })] }));

const client = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0 });

function streamRequest(body: Record<string, unknown>) {
  return fetch(`${suite.gw.url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' },
    body: JSON.stringify(body),
  });
}

describe('streaming chat completions', () => {
  test('SDK stream: text arrives, usage requested upstream and hidden from a client that did not ask', async () => {
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('Hello wörld 👋');
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
    expect(suite.upstream.requests[0].json.stream_options).toEqual({ include_usage: true });

    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
    expect(suite.gw.recorder.interceptions[0]).toMatchObject({ streaming: true, model: 'gpt-4o-mini' });
    expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed', httpStatus: 200 });
    expect(suite.gw.recorder.tokenUsages).toEqual([expect.objectContaining({ msgId: 'chatcmpl-test123', input: 5, cacheRead: 4, output: 3 })]);
  });

  test('raw bytes of every event reach the client unchanged, in order, ending with [DONE]', async () => {
    const res = await streamRequest({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('x-request-id')).toBe('req_stream');
    expect(res.headers.get('x-aibridge-interception-id')).toBeTruthy();
    const text = await res.text();
    expect(text).toBe(textStreamEvents(true).map((e) => `data: ${e}\n\n`).join(''));
    // The client asked for usage itself: the request is forwarded byte-identical and the usage chunk is shown.
    expect(suite.upstream.requests[0].body).toBe(JSON.stringify({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }));
  });

  test('without include_usage the usage-only chunk and "usage":null are withheld and other fields are kept', async () => {
    const res = await streamRequest({ model: 'gpt-4o-mini', stream: true, stream_options: { include_obfuscation: false }, temperature: 0.2, messages: [{ role: 'user', content: 'hi' }] });
    const text = await res.text();
    // What the upstream sends when nobody asks for usage.
    const expected = textStreamEvents(false).map((e) => `data: ${e}\n\n`).join('');
    expect(text).toBe(expected);
    expect(suite.upstream.requests[0].json).toEqual({ model: 'gpt-4o-mini', stream: true, stream_options: { include_obfuscation: false, include_usage: true }, temperature: 0.2, messages: [{ role: 'user', content: 'hi' }] });
  });

  test('client tool-call deltas stream through untouched and are recorded', async () => {
    const events = [
      chunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'lookup', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'other', arguments: '{}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] }),
      chunk({}, 'tool_calls'),
    ].map((c) => JSON.stringify(c)).concat('[DONE]');
    suite.upstream.behaviour = (_req, res) => writeSse(res, events);
    const res = await streamRequest({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'go' }], tools: [] });
    expect(await res.text()).toBe(events.map((e) => `data: ${e}\n\n`).join(''));
    await eventually(() => expect(suite.gw.recorder.toolUsages).toHaveLength(2));
    expect(suite.gw.recorder.toolUsages.map((t) => [t.toolCallId, t.tool, t.args, t.injected])).toEqual([
      ['call_a', 'lookup', { q: 'x' }, false],
      ['call_b', 'other', {}, false],
    ]);
  });

  test('events are relayed as they arrive, not held back until the end', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    suite.upstream.behaviour = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(chunk({ content: 'first' }))}\n\n`);
      await gate;
      res.end(`data: ${JSON.stringify(chunk({}, 'stop'))}\n\ndata: [DONE]\n\n`);
    };
    const res = await streamRequest({ model: 'gpt-4o-mini', stream: true, messages: [] });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toContain('"first"');
    release();
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += Buffer.from(r.value).toString();
    expect(rest).toContain('[DONE]');
  });
});

describe('stream failures', () => {
  test('upstream connection dropped mid-stream → one error event, interception failed', async () => {
    suite.upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(chunk({ content: 'partial' }))}\n\n`, () => setTimeout(() => res.destroy(), 20));
    };
    const res = await streamRequest({ model: 'gpt-4o-mini', stream: true, messages: [] });
    const text = await res.text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events[0]).toContain('"partial"');
    expect(events).toHaveLength(2);
    expect(JSON.parse(events[1].replace(/^data: /, ''))).toEqual({ error: { message: expect.any(String), type: 'server_error', code: expect.any(String) } });
    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
    expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', errorType: 'server_error' });
  });

  test('upstream stream ending without [DONE] is not a silent clean end', async () => {
    suite.upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`data: ${JSON.stringify(chunk({ content: 'cut' }))}\n\n`);
    };
    const text = await (await streamRequest({ model: 'gpt-4o-mini', stream: true, messages: [] })).text();
    expect(text).toMatch(/data: \{"error":\{"message":"[^"]+","type":"server_error","code":"stream_incomplete"\}\}\n\n$/);
    await eventually(() => expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed' }));
  });

  test('an error event sent by the upstream is relayed and marks the interception failed', async () => {
    const events = [JSON.stringify(chunk({ content: 'a' })), JSON.stringify({ error: { message: 'model overloaded', type: 'server_error', code: null } })];
    suite.upstream.behaviour = (_req, res) => writeSse(res, events);
    const text = await (await streamRequest({ model: 'gpt-4o-mini', stream: true, messages: [] })).text();
    expect(text).toBe(events.map((e) => `data: ${e}\n\n`).join(''));
    await eventually(() => expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', errorMessage: 'model overloaded' }));
  });

  test('SDK surfaces a mid-stream failure as an error, not a clean end', async () => {
    suite.upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(chunk({ content: 'x' }))}\n\n`, () => setTimeout(() => res.destroy(), 20));
    };
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [] });
    await expect((async () => { for await (const _ of stream) void _; })()).rejects.toThrow();
    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toEqual([expect.objectContaining({ status: 'failed' })]));
  });

  test('client disconnect aborts the upstream request and the interception ends aborted', async () => {
    suite.upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(chunk({ content: 'slow' }))}\n\n`);
      // never ends on its own
    };
    const controller = new AbortController();
    const res = await fetch(`${suite.gw.url}/openai/v1/chat/completions`, {
      method: 'POST', signal: controller.signal,
      headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [] }),
    });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await suite.upstream.requests[0].closedEarly;
    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
    expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'aborted', errorType: 'aborted' });
    expect(suite.gw.recorder.interceptions).toHaveLength(1);
  });
});

describe('runaway upstream', () => {
  test('an event that never ends is cut at the limit with one error event, not buffered forever', async () => {
    const { MAX_EVENT_BYTES } = await import('../../lib/streaming/event-stream');
    suite.upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(chunk({ content: 'ok' }))}\n\n`);
      res.write('data: ' + 'x'.repeat(MAX_EVENT_BYTES + 1024));
    };
    const text = await (await streamRequest({ model: 'gpt-4o-mini', stream: true, messages: [] })).text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events).toHaveLength(2);
    expect(JSON.parse(events[1].slice('data: '.length)).error).toMatchObject({ code: 'event_too_large' });
    // Cut, not drained: the upstream never ends this response, so only a closed connection settles this.
    await suite.upstream.requests[0].closedEarly;
    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toEqual([expect.objectContaining({ status: 'failed', errorType: 'server_error' })]));
  });
});
