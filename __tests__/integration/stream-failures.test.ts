// What a client, the records and the logs say when an upstream fails mid-stream or keeps failing.
import { openaiProvider } from '../../lib';
import { chunk } from '../helpers/fake-openai';
import { bridgeSuite, eventually, startGateway } from '../helpers/gateway';

const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ keys: ['sk-1'], baseURL: url, timeouts: { idleMs: 300 } })] }));

const post = (url: string, body: object) => fetch(`${url}/openai/v1/chat/completions`, {
  method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' }, body: JSON.stringify(body),
});
const STREAM = { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] };

function errorEvent(text: string) {
  const events = text.split('\n\n').filter(Boolean);
  return JSON.parse(events[events.length - 1].slice('data: '.length)).error;
}

const logLines = (message: string) => suite.gw.logs.lines.map((l) => JSON.parse(l)).filter((l) => l.message === message);

function dropAfterFirstChunk() {
  suite.upstream.behaviour = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${JSON.stringify(chunk({ role: 'assistant', content: 'Hi' }))}\n\n`, () => res.socket?.destroy());
  };
}

test('a connection reset after the first byte says the connection was lost, logs it once with the interception id', async () => {
  suite.gw.logs.lines.length = 0;
  dropAfterFirstChunk();
  const res = await post(suite.gw.url, STREAM);
  const id = res.headers.get('x-aibridge-interception-id');
  expect(errorEvent(await res.text())).toEqual({ message: 'The upstream connection was lost mid-stream.', type: 'server_error', code: 'upstream_disconnected' });
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toEqual([
    expect.objectContaining({ status: 'failed', errorType: 'server_error', errorMessage: 'The upstream connection was lost mid-stream.' }),
  ]));
  expect(logLines('upstream stream failed')).toEqual([expect.objectContaining({ level: 'warn', interceptionId: id, provider: 'openai', code: 'upstream_disconnected', suppressed: 0 })]);

  // The same failure again right away is not logged again (it is counted and reported with the next line).
  suite.gw.recorder.clear();
  const again = await post(suite.gw.url, STREAM);
  expect(errorEvent(await again.text()).code).toBe('upstream_disconnected');
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  expect(logLines('upstream stream failed')).toHaveLength(1);
});

test('a stream that goes silent says so', async () => {
  suite.upstream.behaviour = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${JSON.stringify(chunk({ content: 'a' }))}\n\n`);
  };
  const text = await (await post(suite.gw.url, STREAM)).text();
  expect(errorEvent(text)).toEqual({ message: 'The upstream went silent mid-stream for longer than the idle timeout.', type: 'server_error', code: 'upstream_timeout' });
});

test('an unreachable upstream is logged once per interval, not once per request', async () => {
  const gw = await startGateway({ providers: [openaiProvider({ keys: ['sk-1'], baseURL: 'http://127.0.0.1:1/v1' })] });
  try {
    for (let i = 0; i < 3; i++) {
      const res = await post(gw.url, { model: 'm', messages: [] });
      expect(res.status).toBe(502);
      expect(((await res.json()) as any).error.code).toBe('upstream_unreachable');
    }
    const lines = gw.logs.lines.map((l) => JSON.parse(l)).filter((l) => l.message === 'upstream request failed');
    expect(lines).toEqual([expect.objectContaining({ provider: 'openai', code: 'upstream_unreachable', suppressed: 0 })]);
  } finally {
    await gw.close();
  }
});
