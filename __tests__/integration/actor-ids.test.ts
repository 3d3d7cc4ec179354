/** What the host's `actor(req)` may return as an id: strings, finite numbers (converted); anything else is the host's bug. */
import type { Request } from 'express';
import { openaiProvider } from '../../lib';
import { bridgeSuite, eventually } from '../helpers/gateway';

let answer: unknown;
const suite = bridgeSuite((url) => ({
  providers: [openaiProvider({ keys: ['sk-1'], baseURL: url })],
  actor: ((_req: Request) => answer) as never,
}));

const BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

function post() {
  return fetch(`${suite.gw.url}/openai/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
}

const actorLines = () => suite.gw.logs.lines.filter((l) => l.includes('`actor`'));

beforeEach(() => {
  suite.gw.logs.lines.length = 0;
});

test.each([
  [123, '123'],
  [0, '0'],
  [-7.5, '-7.5'],
  [Promise.resolve(42), '42'],
])('a finite number id %p is recorded as the string %p', async (id, expected) => {
  answer = id instanceof Promise ? id.then((n) => ({ id: n, metadata: { via: 'async' } })) : { id, metadata: { plan: 'pro' } };
  const res = await post();
  expect(res.status).toBe(200);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  expect(suite.gw.recorder.interceptions[0].initiatorId).toBe(expected);
  expect(typeof suite.gw.recorder.interceptions[0].metadata).toBe('object');
  expect(actorLines()).toHaveLength(0);
});

test.each([
  ['an object id', { id: { user: 1 } }],
  ['NaN', { id: Number.NaN }],
  ['Infinity', { id: Number.POSITIVE_INFINITY }],
  ['a boolean id', { id: true }],
  ['a bigint id', { id: BigInt(5) }],
  ['no id at all', { metadata: {} }],
  ['a bare string instead of an object', 'alice'],
  ['a bare number instead of an object', 7],
])('%s → 500 in OpenAI shape, one log line naming `actor`, nothing upstream or recorded', async (_name, value) => {
  answer = value;
  const res = await post();
  expect(res.status).toBe(500);
  const json = (await res.json()) as { error: Record<string, unknown> };
  expect(Object.keys(json.error).sort()).toEqual(['code', 'message', 'type']);
  expect(json.error.type).toBe('server_error');
  expect(suite.upstream.requests).toHaveLength(0);
  expect(actorLines()).toHaveLength(1);
  await new Promise((r) => setTimeout(r, 20));
  expect(suite.gw.recorder.interceptions).toHaveLength(0);
});

test('passthrough routes apply the same rule', async () => {
  answer = { id: { nested: true } };
  const res = await fetch(`${suite.gw.url}/openai/v1/models`);
  expect(res.status).toBe(500);
  expect(suite.upstream.requests).toHaveLength(0);
  answer = { id: 9 };
  expect((await fetch(`${suite.gw.url}/openai/v1/models`)).status).toBe(200);
});

test.each([[null], [undefined], [false], [{ id: '' }]])('%p is still "nobody" → 401', async (value) => {
  answer = value;
  expect((await post()).status).toBe(401);
  expect(actorLines()).toHaveLength(0);
});
