/** The bridge is an Express Router: requests reach its dispatch directly, and layers a host adds to it still run, in order. */
import OpenAI from 'openai';
import { openaiProvider } from '../../lib';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { startGateway, type Gateway } from '../helpers/gateway';

let upstream: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  gw = await startGateway({ providers: [openaiProvider({ keys: ['sk-router-test-0000000000001'], baseURL: upstream.url })] });
});

afterAll(async () => {
  await gw.close();
  await upstream.close();
});

/** One chat completion through the bridge; the number of requests the upstream has seen since the start. */
async function chat(): Promise<number> {
  const client = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/openai/v1`, maxRetries: 0 });
  const answer = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
  expect(answer.object).toBe('chat.completion');
  return upstream.requests.length;
}

test('a path of no provider falls through to what the host mounted after the bridge', async () => {
  expect(await chat()).toBe(1);
  const res = await fetch(`${gw.url}/not-a-provider/v1/models`);
  expect(res.status).toBe(404);
  expect(await res.text()).toContain('Cannot GET /ai/not-a-provider/v1/models');
});

test("layers the host adds to the bridge's router run after its dispatch, with the router's own matching", async () => {
  const seen: string[] = [];
  gw.bridge.use((req, _res, next) => {
    seen.push(`${req.baseUrl} ${req.url}`);
    next();
  });
  gw.bridge.get('/health/:check', (req, res) => {
    res.json({ ok: true, check: req.params.check });
  });
  const res = await fetch(`${gw.url}/health/upstream`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true, check: 'upstream' });
  expect(seen).toEqual(['/ai /health/upstream']);
  // A provider's route is still the dispatch's, before the host's layers.
  expect(await chat()).toBe(2);
  expect(seen).toEqual(['/ai /health/upstream']);
});
