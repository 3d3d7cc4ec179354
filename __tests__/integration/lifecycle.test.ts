import { openaiProvider, MemoryRecorder } from '../../lib';
import { startFakeOpenAI, chunk, type FakeUpstream } from '../helpers/fake-openai';
import { startGateway, type Gateway } from '../helpers/gateway';

let upstream: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
});
afterAll(async () => {
  await upstream.close();
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
