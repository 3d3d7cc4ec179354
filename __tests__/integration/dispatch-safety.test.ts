/** Nothing thrown on a request path escapes to the process: it becomes a provider-shaped 500 or an error event, and one log line. */
import { chatCompletionsApi } from '../../lib/apis/openai-chat/chat-completions-api';
import { openaiProvider, type BridgedProvider } from '../../lib';
import { chunk } from '../helpers/fake-openai';
import { bridgeSuite, eventually } from '../helpers/gateway';

const INTERCEPTION = 'x-aibridge-interception-id';

let provider: BridgedProvider;
const suite = bridgeSuite((url) => {
  provider = openaiProvider({ keys: ['sk-1'], baseURL: url });
  return { providers: [provider] };
});

const escaped: unknown[] = [];
const watch = (err: unknown) => escaped.push(err);
beforeAll(() => {
  process.on('unhandledRejection', watch);
  process.on('uncaughtException', watch);
});
afterAll(() => {
  process.off('unhandledRejection', watch);
  process.off('uncaughtException', watch);
});
beforeEach(() => {
  escaped.length = 0;
  suite.gw.logs.lines.length = 0;
});
afterEach(() => jest.restoreAllMocks());

/** Lets a stray rejection or exception surface, then checks that none did. */
async function expectNothingEscaped() {
  await new Promise((r) => setTimeout(r, 50));
  expect(escaped).toEqual([]);
}

const lastResortLines = () => suite.gw.logs.lines.filter((l) => l.includes('request failed unexpectedly'));

function expectInternalError(status: number, json: unknown) {
  expect(status).toBe(500);
  expect(json).toEqual({ error: { message: expect.any(String), type: 'server_error', code: 'internal_error' } });
}

function request(path: string, init: RequestInit = {}) {
  return fetch(`${suite.gw.url}/openai${path}`, { signal: AbortSignal.timeout(3000), ...init });
}

const CHAT = { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' } };

test('a synchronous throw while routing → OpenAI-shaped 500, one log line', async () => {
  jest.spyOn(provider.passthrough[0], 'matches').mockImplementationOnce(() => {
    throw new Error('boom in routing');
  });
  const res = await request('/v1/models', { headers: { 'x-user-token': 'user-token-alice' } });
  expectInternalError(res.status, await res.json());
  expect(lastResortLines()).toHaveLength(1);
  expect(suite.upstream.requests).toHaveLength(0);
  await expectNothingEscaped();
});

test('a rejection from a bridged handler (the adapter throws while rendering an error) → 500, not a hung request', async () => {
  jest.spyOn(provider, 'errorBody').mockImplementationOnce(() => {
    throw new Error('boom in errorBody');
  });
  const res = await request('/v1/chat/completions', { method: 'POST', body: '{}' }); // no actor → 401 rendering throws
  expectInternalError(res.status, await res.json());
  expect(lastResortLines()).toHaveLength(1);
  await expectNothingEscaped();
});

test('a rejection after the interception began → 500, the log line names the interception id, one ended record', async () => {
  jest.spyOn(provider, 'credentialHeaders').mockImplementationOnce(() => {
    throw new Error('boom in credentialHeaders');
  });
  jest.spyOn(provider, 'errorBody').mockImplementationOnce(() => {
    throw new Error('boom in errorBody');
  });
  const res = await request('/v1/chat/completions', { ...CHAT, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }) });
  expectInternalError(res.status, await res.json());
  const id = res.headers.get(INTERCEPTION);
  expect(id).toBeTruthy();
  expect(lastResortLines()).toHaveLength(1);
  expect(lastResortLines()[0]).toContain(id);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toEqual([expect.objectContaining({ id, status: 'failed' })]));
  await expectNothingEscaped();
});

test('a rejection from a passthrough handler → 500', async () => {
  jest.spyOn(provider, 'errorBody').mockImplementationOnce(() => {
    throw new Error('boom in errorBody');
  });
  const res = await request('/v1/models'); // no actor → 401 rendering throws
  expectInternalError(res.status, await res.json());
  expect(lastResortLines()).toHaveLength(1);
  await expectNothingEscaped();
});

test('a throw after streaming began → the client gets an error event, never a silent clean end', async () => {
  jest.spyOn(chatCompletionsApi, 'streamErrorEvent').mockImplementation(() => {
    throw new Error('boom in streamErrorEvent');
  });
  suite.upstream.behaviour = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${JSON.stringify(chunk({ content: 'partial' }))}\n\n`, () => setTimeout(() => res.destroy(), 20));
  };
  const res = await request('/v1/chat/completions', { ...CHAT, body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [] }) });
  const events = (await res.text()).split('\n\n').filter(Boolean);
  expect(events[0]).toContain('"partial"');
  expect(events).toHaveLength(2);
  expect(JSON.parse(events[1].replace(/^data: /, ''))).toEqual({ error: { message: expect.any(String), type: 'server_error', code: 'internal_error' } });
  const id = res.headers.get(INTERCEPTION)!;
  expect(lastResortLines()).toEqual([expect.stringContaining(id)]);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toEqual([expect.objectContaining({ id, status: 'failed' })]));
  await expectNothingEscaped();
});

test('the bridge keeps serving afterwards', async () => {
  const res = await request('/v1/chat/completions', { ...CHAT, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }) });
  expect(res.status).toBe(200);
  await expectNothingEscaped();
});
