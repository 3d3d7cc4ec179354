import { openaiProvider } from '../../lib';
import { startFakeOpenAI, chunk, type FakeUpstream } from '../helpers/fake-openai';
import { startGateway, eventually, type Gateway } from '../helpers/gateway';

let upstream: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  gw = await startGateway({ providers: [openaiProvider({ keys: ['sk-1'], baseURL: upstream.url, timeouts: { headersMs: 300, idleMs: 300 } })] });
});
afterAll(async () => {
  await gw.close();
  await upstream.close();
});
beforeEach(() => gw.recorder.clear());

const post = (body: object) => fetch(`${gw.url}/openai/v1/chat/completions`, {
  method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' }, body: JSON.stringify(body),
});

test('no response headers in time → 504 OpenAI-shaped, errorType timeout', async () => {
  upstream.behaviour = () => undefined;
  const res = await post({ model: 'm', messages: [] });
  expect(res.status).toBe(504);
  expect(await res.json()).toEqual({ error: { message: expect.any(String), type: 'server_error', code: 'upstream_timeout' } });
  await eventually(() => expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', errorType: 'timeout', httpStatus: 504 }));
});

test('a stream that goes silent → one error event in OpenAI\'s vocabulary (server_error, code upstream_timeout), then the end', async () => {
  upstream.behaviour = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${JSON.stringify(chunk({ content: 'a' }))}\n\n`);
  };
  const text = await (await post({ model: 'm', messages: [], stream: true })).text();
  const events = text.split('\n\n').filter(Boolean);
  expect(events).toHaveLength(2);
  expect(JSON.parse(events[1].slice('data: '.length)).error).toMatchObject({ type: 'server_error', code: 'upstream_timeout' });
  await eventually(() => expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', errorType: 'timeout' }));
});

describe('total deadline per upstream attempt (timeouts.totalMs)', () => {
  let slow: Gateway;
  beforeAll(async () => {
    slow = await startGateway({ providers: [openaiProvider({ keys: ['sk-1'], baseURL: upstream.url, timeouts: { headersMs: 10_000, idleMs: 10_000, totalMs: 300 } })] });
  });
  afterAll(() => slow.close());
  beforeEach(() => slow.recorder.clear());

  /** Answers with `head` and then one piece every 50 ms, forever (until the connection closes). */
  const drip = (contentType: string, piece: () => string) => (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': contentType });
    const timer = setInterval(() => res.write(piece()), 50);
    res.once('close', () => clearInterval(timer));
  };
  const postSlow = (body: object, path = '/chat/completions') => fetch(`${slow.url}/openai/v1${path}`, {
    method: body ? 'POST' : 'GET', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' }, body: JSON.stringify(body),
  });

  test('a blocking answer dripping one byte every 50 ms → 504 OpenAI-shaped after the total deadline, recorded as a timeout', async () => {
    upstream.behaviour = drip('application/json', () => ' ');
    const started = Date.now();
    const res = await postSlow({ model: 'm', messages: [] });
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({ error: { message: expect.stringContaining('300 ms'), type: 'server_error', code: 'upstream_timeout' } });
    expect(Date.now() - started).toBeLessThan(3_000);
    await eventually(() => expect(slow.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', errorType: 'timeout', httpStatus: 504 }));
  });

  test('no headers within the total deadline (shorter than headersMs) → 504', async () => {
    upstream.behaviour = () => undefined;
    const started = Date.now();
    const res = await postSlow({ model: 'm', messages: [] });
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  test('a stream dripping events forever → the events so far, then one error event; recorded failed / timeout', async () => {
    upstream.behaviour = drip('text/event-stream', () => `data: ${JSON.stringify(chunk({ content: 'a' }))}\n\n`);
    const res = await postSlow({ model: 'm', messages: [], stream: true });
    expect(res.status).toBe(200);
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events.length).toBeGreaterThan(1);
    for (const e of events.slice(0, -1)) expect(JSON.parse(e.slice('data: '.length)).choices[0].delta.content).toBe('a');
    expect(JSON.parse(events.at(-1)!.slice('data: '.length)).error).toMatchObject({ type: 'server_error', code: 'upstream_timeout' });
    // (The previous test's end record may still be on its way: look for this one.)
    await eventually(() => expect(slow.recorder.interceptionEnds).toContainEqual(expect.objectContaining({ status: 'failed', errorType: 'timeout', httpStatus: 200 })));
  });

  test('passthrough: no headers in time → 504; a body dripping past the deadline is cut', async () => {
    upstream.behaviour = () => undefined;
    const before = Date.now();
    const refused = await fetch(`${slow.url}/openai/v1/models`, { headers: { 'x-user-token': 'user-token-alice' } });
    expect(refused.status).toBe(504);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('upstream_timeout');
    expect(Date.now() - before).toBeLessThan(3_000);

    // Headers came, then nothing: the client has had no byte yet, so it still gets the 504.
    upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_slow' });
      res.flushHeaders();
    };
    const headersOnly = await fetch(`${slow.url}/openai/v1/models`, { headers: { 'x-user-token': 'user-token-alice' } });
    expect(headersOnly.status).toBe(504);
    expect(headersOnly.headers.get('x-request-id')).toBeNull();
    expect(((await headersOnly.json()) as { error: { code: string } }).error.code).toBe('upstream_timeout');

    upstream.behaviour = drip('application/json', () => ' ');
    const started = Date.now();
    const cut = await fetch(`${slow.url}/openai/v1/models`, { headers: { 'x-user-token': 'user-token-alice' } });
    await expect(cut.text()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
