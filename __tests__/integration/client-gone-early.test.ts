/** A client that leaves while a slow actor resolver runs: its request ends then, and holds close() up for nothing. */
import { openaiProvider } from '../../lib';
import { settlesWithin } from '../../lib/http/deadline';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { startGateway, testActor } from '../helpers/gateway';

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeOpenAI();
});
afterAll(async () => {
  await upstream.close();
});

test.each([
  ['a bridged request', '/openai/v1/chat/completions', JSON.stringify({ model: 'gpt-4o-mini', messages: [] })],
  ['a passthrough request with a body', '/openai/v1/conversations', JSON.stringify({ items: [] })],
])('%s whose client left before its body was read ends at once', async (_name, path, body) => {
  upstream.requests.length = 0;
  const gw = await startGateway({
    providers: [openaiProvider({ keys: ['sk-gone-early-0000000000001111'], baseURL: upstream.url })],
    actor: async (req) => {
      await new Promise((r) => setTimeout(r, 100));
      return testActor(req);
    },
  });
  const controller = new AbortController();
  const leaving = fetch(`${gw.url}${path}`, {
    method: 'POST', body, signal: controller.signal, headers: { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' },
  });
  setTimeout(() => controller.abort(), 30);
  await expect(leaving).rejects.toThrow();
  await new Promise((r) => setTimeout(r, 200));
  // Nothing is left in flight: close() has nothing to wait for (it would wait out its whole grace period otherwise).
  expect(await settlesWithin(gw.bridge.close({ graceMs: 5_000 }), 1_000)).toBe(true);
  expect(upstream.requests).toHaveLength(0);
  expect(gw.recorder.interceptions).toHaveLength(0);
  await gw.close();
});
