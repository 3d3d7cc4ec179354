// A streamed answer's head reaches the client soon after the upstream's, even when the upstream's first event is slow
// (a reasoning model thinking before its first token): the client's own header timeout never sees a silent bridge.
import { openaiProvider } from '../../lib';
import { startFakeOpenAI, chunk, type FakeUpstream } from '../helpers/fake-openai';
import { startGateway, type Gateway } from '../helpers/gateway';

const FIRST_EVENT_DELAY_MS = 1_500;

let upstream: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  gw = await startGateway({ providers: [openaiProvider({ keys: ['sk-1'], baseURL: upstream.url })] });
});
afterAll(async () => {
  await gw.close();
  await upstream.close();
});

test('the head goes out while the upstream has sent its head and no event yet', async () => {
  upstream.behaviour = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_thinking' });
    res.flushHeaders();
    setTimeout(() => {
      res.write(`data: ${JSON.stringify(chunk({ content: 'done thinking' }))}\n\n`);
      res.end('data: [DONE]\n\n');
    }, FIRST_EVENT_DELAY_MS);
  };
  const sent = Date.now();
  const res = await fetch(`${gw.url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'think' }], stream: true }),
  });
  const headAfterMs = Date.now() - sent;
  expect(res.status).toBe(200);
  expect(res.headers.get('x-request-id')).toBe('req_thinking');
  expect(headAfterMs).toBeLessThan(FIRST_EVENT_DELAY_MS / 2);
  const text = await res.text();
  expect(text).toContain('done thinking');
  expect(text).toContain('data: [DONE]');
});
