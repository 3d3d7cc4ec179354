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
