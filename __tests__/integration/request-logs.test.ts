// Request logs: every line about a request carries its fields, and each interception ends with one `info` line saying how it went.
import { maskKey } from '../../lib';
import { chatScript } from '../helpers/chat-script';
import { eventually } from '../helpers/gateway';
import {
  BAD_KEY, BYOK_TOKEN, GOOD_KEY, POOL_KEY, blocking, byok, failover, linesOf, logSuite, passthrough, streaming, toolLoop, type LogLine,
} from '../helpers/log-scenarios';

const suite = logSuite('debug');

beforeEach(() => suite.clear());

/** Every line logged during the test is about the request `id` and carries the request's fields (but the MCP server's own, about its connection). */
function expectAllAbout(id: string, fields: Record<string, unknown>): LogLine[] {
  const lines = suite.lines().filter((l) => l.server === undefined);
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(line).toMatchObject({ interceptionId: id, ...fields });
  return lines;
}

const OPENAI_FIELDS = { provider: 'openai', api: 'chat-completions', model: 'gpt-4o-mini', actorId: 'alice', client: 'openai-node' };

function ended(lines: LogLine[]): LogLine {
  const ends = lines.filter((l) => l.message === 'interception ended');
  expect(ends).toHaveLength(1);
  expect(ends[0].level).toBe('info');
  return ends[0];
}

test('a blocking request: its fields on every line, its prompt at debug, one ended line with tokens and its attempt', async () => {
  const id = await blocking(suite);
  await linesOf(suite, id);
  const lines = expectAllAbout(id, OPENAI_FIELDS);
  expect(lines.find((l) => l.message === 'prompt')).toMatchObject({ level: 'debug', prompt: `What does ${maskKey(POOL_KEY)} unlock?` });
  const end = ended(lines);
  expect(end).toMatchObject({
    status: 'completed', httpStatus: 200, streaming: false, credentialKind: 'centralized', credentialHint: maskKey(POOL_KEY),
    attempts: [{ credentialHint: maskKey(POOL_KEY), httpStatus: 200, durationMs: expect.any(Number) }],
    tokens: { input: 15, output: 7, cacheRead: 5, cacheWrite: 0 }, injectedToolCalls: 0,
  });
  expect(end.errorType).toBeUndefined();
  expect(end.durationMs).toEqual(expect.any(Number));
  expect(end.timeToFirstByteMs).toEqual(expect.any(Number));
  expect(end.timeToFirstByteMs as number).toBeLessThanOrEqual(end.durationMs as number);
});

test('a streamed request: one ended line with the stream\'s tokens', async () => {
  const id = await streaming(suite);
  await linesOf(suite, id);
  const end = ended(expectAllAbout(id, OPENAI_FIELDS));
  expect(end).toMatchObject({ status: 'completed', httpStatus: 200, streaming: true, tokens: { input: 11, output: 3, cacheRead: 0, cacheWrite: 0 }, injectedToolCalls: 0 });
  expect(end.timeToFirstByteMs).toEqual(expect.any(Number));
});

test('a failover: the key walk\'s warning carries the request\'s fields; the ended line lists both attempts with masked hints', async () => {
  const id = await failover(suite);
  await linesOf(suite, id);
  const lines = expectAllAbout(id, { ...OPENAI_FIELDS, provider: 'failover' });
  expect(lines.find((l) => l.message === 'provider key cooling down')).toMatchObject({ level: 'warn', key: maskKey(BAD_KEY), reason: 'unauthorized' });
  expect(ended(lines)).toMatchObject({
    status: 'completed', httpStatus: 200, credentialHint: maskKey(GOOD_KEY),
    attempts: [
      { credentialHint: maskKey(BAD_KEY), httpStatus: 401, errorType: 'unauthorized', durationMs: expect.any(Number) },
      { credentialHint: maskKey(GOOD_KEY), httpStatus: 200, durationMs: expect.any(Number) },
    ],
    tokens: { input: 9, output: 2 },
  });
});

test('a tool loop with an injected MCP tool: its call and arguments at debug, the count and summed tokens in the ended line', async () => {
  const id = await toolLoop(suite);
  await linesOf(suite, id);
  const lines = expectAllAbout(id, OPENAI_FIELDS);
  expect(lines.find((l) => l.message === 'injected tool call')).toMatchObject({
    level: 'debug', tool: 'bmcp_zoo_add', toolCallId: 'call_add', arguments: `{"a":20,"b":22,"note":"${maskKey(POOL_KEY)}"}`,
  });
  expect(ended(lines)).toMatchObject({
    status: 'completed', httpStatus: 200, injectedToolCalls: 1, tokens: { input: 80, output: 11 },
    attempts: [{ httpStatus: 200 }, { httpStatus: 200 }],
  });
});

test('a BYOK request: its lines carry its fields and mask the client\'s own key; the ended line names the BYOK hint', async () => {
  const id = await byok(suite);
  await linesOf(suite, id);
  const lines = expectAllAbout(id, { provider: 'claude-byok', api: 'messages', model: 'claude-test-1', actorId: 'alice', client: 'anthropic-node' });
  expect(lines.find((l) => l.message === 'prompt')).toMatchObject({ prompt: `Is ${maskKey(BYOK_TOKEN)} my key?` });
  expect(ended(lines)).toMatchObject({ status: 'completed', httpStatus: 200, credentialKind: 'byok', credentialHint: maskKey(BYOK_TOKEN), attempts: [{ httpStatus: 200 }] });
});

test('a passthrough call: one info line with its id, route pattern, method, actor, status and time', async () => {
  await passthrough(suite);
  await eventually(() => expect(suite.lines().filter((l) => l.message === 'passthrough ended')).toHaveLength(1));
  const [line] = suite.lines();
  expect(suite.lines()).toHaveLength(1);
  expect(line).toMatchObject({
    level: 'info', passthroughId: expect.stringMatching(/^[0-9a-f-]{36}$/), provider: 'openai', route: '/v1/models', method: 'GET', actorId: 'alice',
    client: 'openai-node', httpStatus: 200, attempts: 1, credentialHint: maskKey(POOL_KEY), durationMs: expect.any(Number),
  });
  // Its id is the one its record carries.
  await eventually(() => expect(suite.gw.recorder.passthroughs.map((p) => p.id)).toContain(line.passthroughId));
});

test('a request refused at admission still ends with one line, with what was known', async () => {
  const res = await fetch(`${suite.gw.url}/openai/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"gpt-4o-mini","messages":[]}' });
  expect(res.status).toBe(401);
  await eventually(() => expect(suite.lines().filter((l) => l.message === 'interception ended')).toHaveLength(1));
  const end = suite.lines().find((l) => l.message === 'interception ended')!;
  expect(end).toMatchObject({ level: 'info', provider: 'openai', api: 'chat-completions', status: 'failed', httpStatus: 401, errorType: 'unauthorized', attempts: [] });
  expect(end.interceptionId).toBeUndefined();
});

test('a client tool named like an injected one: the warning about it carries the request\'s fields', async () => {
  suite.upstream.behaviour = chatScript([{ text: 'ok' }]);
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function', function: { name: 'bmcp_zoo_add', parameters: { type: 'object' } } }] };
  const res = await fetch(`${suite.gw.url}/openai/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer user-token-alice', 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  const id = res.headers.get('x-aibridge-interception-id')!;
  await linesOf(suite, id);
  const { client: _client, ...fields } = OPENAI_FIELDS;
  const lines = expectAllAbout(id, fields);
  expect(lines.find((l) => l.level === 'warn')).toMatchObject({ message: expect.stringContaining('a client tool has the name of an injected tool'), tools: ['bmcp_zoo_add'] });
});

test('an unreachable upstream: the failure\'s warning carries the request\'s fields; the ended line says failed, with the attempt\'s error', async () => {
  suite.upstream.behaviour = undefined;
  const res = await fetch(`${suite.gw.url}/down/v1/chat/completions`, {
    method: 'POST', headers: { authorization: 'Bearer user-token-alice', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(res.status).toBeGreaterThanOrEqual(500);
  const id = res.headers.get('x-aibridge-interception-id')!;
  await linesOf(suite, id);
  const lines = expectAllAbout(id, { provider: 'down', api: 'chat-completions', model: 'gpt-4o-mini', actorId: 'alice' });
  expect(lines.find((l) => l.level === 'warn')).toMatchObject({ message: 'upstream request failed' });
  const end = ended(lines);
  expect(end).toMatchObject({ status: 'failed', httpStatus: res.status, errorType: expect.any(String), attempts: [{ credentialHint: maskKey(POOL_KEY), errorType: expect.any(String) }] });
  expect((end.attempts as Array<Record<string, unknown>>)[0].httpStatus).toBeUndefined();
  expect(end.timeToFirstByteMs).toBeUndefined();
});
