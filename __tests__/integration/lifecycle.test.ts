/** close({ graceMs }): stop admitting, drain, abort what is left, flush with deadlines, always resolve; stats(). */
import { openaiProvider, MemoryRecorder, type Recorder } from '../../lib';
import { settlesWithin } from '../../lib/http/deadline';
import { startFakeOpenAI, chunk, type FakeUpstream } from '../helpers/fake-openai';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';

let upstream: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
});
afterAll(async () => {
  await upstream.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
  upstream.behaviour = undefined;
});

test('close() lets an in-flight stream finish, answers new requests with 503, then flushes and closes the recorder', async () => {
  let closed = false;
  const recorder = new MemoryRecorder();
  (recorder as any).close = async () => { closed = true; };
  gw = await startGateway({ providers: [openaiProvider({ keys: ['sk-1'], baseURL: upstream.url })], recorder });
  let finish!: () => void;
  const gate = new Promise<void>((r) => (finish = r));
  upstream.behaviour = async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${JSON.stringify(chunk({ content: 'a' }))}\n\n`);
    await gate;
    res.end(`data: ${JSON.stringify(chunk({}, 'stop'))}\n\ndata: [DONE]\n\n`);
  };
  const headers = { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' };
  const body = JSON.stringify({ model: 'm', stream: true, messages: [] });
  const inflight = await fetch(`${gw.url}/openai/v1/chat/completions`, { method: 'POST', headers, body });
  const reader = inflight.body!.getReader();
  await reader.read();

  const closing = gw.bridge.close();
  const refused = await fetch(`${gw.url}/openai/v1/chat/completions`, { method: 'POST', headers, body });
  expect(refused.status).toBe(503);
  expect(((await refused.json()) as any).error.code).toBe('shutting_down');
  expect(closed).toBe(false);

  finish();
  let rest = '';
  for (let r = await reader.read(); !r.done; r = await reader.read()) rest += Buffer.from(r.value).toString();
  expect(rest).toContain('[DONE]');
  await closing;
  expect(closed).toBe(true);
  expect(recorder.interceptionEnds).toEqual([expect.objectContaining({ status: 'completed' })]);
  await gw.close();
});

const headers = { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' };
const SHUT_DOWN = 'The gateway shut down before this request finished.';
const never = () => new Promise<void>(() => undefined);

/** Answers the first chunk of a stream, then never finishes it. */
function hangAfterFirstChunk() {
  upstream.behaviour = async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${JSON.stringify(chunk({ content: 'a' }))}\n\n`);
  };
}

describe('close({ graceMs })', () => {
  test('aborts a stream still running after the grace period: one error event to the client, upstream cut, interception ended as aborted', async () => {
    gw = await startGateway({ providers: [openaiProvider({ keys: ['sk-1'], baseURL: upstream.url })] });
    hangAfterFirstChunk();
    const res = await fetch(`${gw.url}/openai/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ model: 'm', stream: true, messages: [] }) });
    const reader = res.body!.getReader();
    await reader.read();
    const began = Date.now();
    expect(await settlesWithin(gw.bridge.close({ graceMs: 100 }), 5_000)).toBe(true);
    expect(Date.now() - began).toBeGreaterThanOrEqual(95);
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += Buffer.from(r.value).toString();
    expect(rest.trim()).toBe(`data: ${JSON.stringify({ error: { message: SHUT_DOWN, type: 'server_error', code: 'shutting_down' } })}`);
    expect(await settlesWithin(upstream.requests[0].closedEarly, 2_000)).toBe(true);
    expect(gw.recorder.interceptionEnds).toEqual([expect.objectContaining({ status: 'aborted', errorType: 'aborted', errorMessage: SHUT_DOWN })]);
    expect(gw.bridge.stats().providers.openai).toMatchObject({ interceptions: 1, aborted: 1 });
    await gw.close();
  });

  test('always resolves: a key state store that hangs, recorder calls that never settle, a recorder.close() that never resolves', async () => {
    const calls: string[] = [];
    const stuck = (name: string) => (r: object) => {
      const status = (r as { status?: string }).status;
      calls.push(status ? `${name} ${status}` : name);
      return never();
    };
    const recorder: Recorder = {
      recordInterception: stuck('start'), recordInterceptionEnded: stuck('end'), recordTokenUsage: stuck('tokens'),
      recordPromptUsage: stuck('prompt'), recordToolUsage: stuck('tool'), close: never,
    };
    const keyState = { getCooldowns: never as never, markCooldown: () => undefined };
    gw = await startGateway({ providers: [openaiProvider({ keys: ['sk-1'], baseURL: upstream.url })], recorder: recorder as never, keyState, recorderTimeoutMs: 100 });
    const pending = fetch(`${gw.url}/openai/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }) });
    await eventually(() => expect(calls).toContain('start'));
    const began = Date.now();
    expect(await settlesWithin(gw.bridge.close({ graceMs: 50 }), 5_000)).toBe(true);
    // grace + forced end + flush deadline + recorder.close() deadline, with room to spare
    expect(Date.now() - began).toBeLessThan(2_000);
    const res = await pending;
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: { message: SHUT_DOWN, type: 'server_error', code: 'shutting_down' } });
    expect(calls).toEqual(['start', 'prompt', 'end aborted']);
    expect(gw.bridge.stats()).toMatchObject({ recorderTimeouts: 3, recorderPending: 3 });
    expect(upstream.requests).toHaveLength(0);
    await gw.close();
  });

  test('aborts a passthrough request still running after the grace period with a 503', async () => {
    gw = await startGateway({ providers: [openaiProvider({ keys: ['sk-1'], baseURL: upstream.url })] });
    upstream.behaviour = () => undefined; // never answers
    const pending = fetch(`${gw.url}/openai/v1/models`, { headers });
    await eventually(() => expect(upstream.requests).toHaveLength(1));
    expect(await settlesWithin(gw.bridge.close({ graceMs: 50 }), 5_000)).toBe(true);
    const res = await pending;
    expect(res.status).toBe(503);
    expect(((await res.json()) as any).error.code).toBe('shutting_down');
    expect(await settlesWithin(upstream.requests[0].closedEarly, 2_000)).toBe(true);
    await gw.close();
  });

  test('an invalid graceMs rejects with an error naming it, and the bridge keeps serving', async () => {
    gw = await startGateway({ providers: [openaiProvider({ keys: ['sk-1'], baseURL: upstream.url })] });
    upstream.behaviour = undefined;
    for (const graceMs of [-1, Number.NaN, Number.POSITIVE_INFINITY, '10' as never]) {
      await expect(gw.bridge.close({ graceMs })).rejects.toThrow(/graceMs/);
    }
    const res = await fetch(`${gw.url}/openai/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ model: 'm', messages: [] }) });
    expect(res.status).toBe(200);
    await gw.close();
  });
});

test('stats(): the recorder queue is bounded; drops, timeouts and pending calls are counted', async () => {
  const recorder = { recordInterception: never, recordInterceptionEnded: never, recordTokenUsage: never, recordPromptUsage: never, recordToolUsage: never };
  gw = await startGateway({ providers: [openaiProvider({ keys: ['sk-1'], baseURL: upstream.url })], recorder: recorder as never, recorderQueueMax: 2, recorderTimeoutMs: 2_000 });
  upstream.behaviour = undefined;
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${gw.url}/openai/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }) });
    expect(res.status).toBe(200);
    await res.text();
  }
  await new Promise((r) => setTimeout(r, 20));
  const stats = gw.bridge.stats();
  // The first interception's start and prompt fill the queue; its end passes the bound; everything else is dropped.
  expect(stats).toMatchObject({ recorderPending: 3, recorderTimeouts: 0, recorderFailures: 0 });
  expect(stats.recorderDropped).toBe(1 + 4 * 4);
  expect(await settlesWithin(gw.bridge.close({ graceMs: 0 }), 5_000)).toBe(true);
  await gw.close();
});
