// The streamed tool loop against an upstream that misbehaves: keys quoted in error events, connections dropped mid-stream.
import type { ServerResponse } from 'node:http';
import { maskKey, openaiProvider } from '../../lib';
import { chunk } from '../helpers/fake-openai';
import { chatScript } from '../helpers/chat-script';
import { bridgeSuite, eventually } from '../helpers/gateway';
import { leakedSecrets } from '../helpers/keyed-upstream';
import { TestInjector } from '../helpers/test-injector';

const POOL_KEY = 'sk-loop-pool-secret-cccccccccccccc4321';
const injector = new TestInjector(3);
const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ baseURL: url, keys: [POOL_KEY] })], tools: injector }));

async function stream(): Promise<string> {
  const res = await fetch(`${suite.gw.url}/openai/v1/chat/completions`, {
    method: 'POST', headers: { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'What is 2+3?' }] }),
  });
  expect(res.status).toBe(200);
  return res.text();
}

function lastError(text: string) {
  const events = text.split('\n\n').filter(Boolean);
  return JSON.parse(events[events.length - 1].slice('data: '.length)).error;
}

/** The first call asks for a tool; the second is answered by `second`. */
function afterOneToolCall(second: (res: ServerResponse, key: string) => void) {
  const script = chatScript([{ text: 'Adding. ', toolCalls: [{ id: 'c1', name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' }] }]);
  let n = 0;
  suite.upstream.behaviour = (req, res) => {
    if (n++ === 0) return script(req, res);
    second(res, String(req.headers.authorization).replace(/^Bearer /, ''));
  };
}

beforeEach(() => {
  injector.calls.length = 0;
  suite.gw.logs.lines.length = 0;
});

test('an error event quoting the pool key on a later iteration: the end record carries the hint, never the key', async () => {
  afterOneToolCall((res, key) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${JSON.stringify(chunk({ role: 'assistant', content: 'It' }))}\n\n`);
    res.end(`data: ${JSON.stringify({ error: { message: `Key ${key} was revoked mid-stream`, type: 'invalid_request_error', code: null } })}\n\n`);
  });
  const text = await stream();
  expect(leakedSecrets(text, [POOL_KEY])).toEqual([]);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', errorMessage: `Key ${maskKey(POOL_KEY)} was revoked mid-stream` });
  expect(leakedSecrets(JSON.stringify({ records: suite.gw.recorder, logs: suite.gw.logs.lines }), [POOL_KEY])).toEqual([]);
});

test('a connection dropped mid-stream on a later iteration says the connection was lost (not unreachable) and is logged', async () => {
  afterOneToolCall((res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${JSON.stringify(chunk({ role: 'assistant', content: 'It' }))}\n\n`, () => res.socket?.destroy());
  });
  const text = await stream();
  expect(text).toContain('Adding. ');
  expect(lastError(text)).toEqual({ message: 'The upstream connection was lost mid-stream.', type: 'server_error', code: 'upstream_disconnected' });
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', errorType: 'server_error', errorMessage: 'The upstream connection was lost mid-stream.' });
  expect(suite.gw.logs.lines.map((l) => JSON.parse(l).message)).toContain('upstream stream failed');
});

test('an event past the size bound on a later iteration says so, not that the upstream could not be reached', async () => {
  afterOneToolCall((res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${JSON.stringify(chunk({ role: 'assistant', content: 'It' }))}\n\n`);
    const piece = Buffer.alloc(1024 * 1024, 'a');
    let sent = 0;
    const more = () => {
      while (sent < 20 && !res.destroyed) {
        sent++;
        if (!res.write(piece)) return void res.once('drain', more);
      }
      res.end();
    };
    res.write('data: "', more);
  });
  const text = await stream();
  expect(lastError(text)).toMatchObject({ code: 'event_too_large', type: 'server_error' });
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', errorType: 'server_error' });
});
