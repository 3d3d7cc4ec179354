// A client that leaves while its request waits for a credential exchange: the wait ends, nothing goes upstream.
import { openaiProvider, refreshingCredentials } from '../../lib';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';

const EXCHANGE_MS = 400;
let upstream: FakeUpstream;
let gw: Gateway;
let exchanged: string[];

beforeEach(async () => {
  exchanged = [];
  upstream = await startFakeOpenAI();
  const source = refreshingCredentials({
    entries: [{ secret: 'ghu_longlived_alpha_aaaaaaaaaaaaaaaa1', id: 'alpha' }, { secret: 'ghu_longlived_bravo_bbbbbbbbbbbbbbbb2', id: 'bravo' }],
    // Slow, then failing: a request still waiting when it fails would go on to the next entry's exchange.
    async exchange({ id }) {
      exchanged.push(id);
      await new Promise((r) => setTimeout(r, EXCHANGE_MS));
      throw new Error('token endpoint unavailable');
    },
  });
  gw = await startGateway({ providers: [openaiProvider({ credentials: source, baseURL: upstream.url })] });
});

afterEach(async () => {
  await gw.close();
  await upstream.close();
});

/** Sends a request and leaves while it waits for the first entry's exchange. */
async function leaveEarly(path: string, init: RequestInit = {}): Promise<void> {
  const controller = new AbortController();
  const sent = fetch(`${gw.url}${path}`, { ...init, headers: { 'x-user-token': 'user-token-alice', ...init.headers }, signal: controller.signal });
  const outcome = sent.then(() => 'answered', () => 'left');
  await eventually(() => expect(exchanged).toEqual(['alpha']));
  controller.abort();
  expect(await outcome).toBe('left');
  // Long enough for the exchange to fail and a request still waiting to go on to the next entry.
  await new Promise((r) => setTimeout(r, EXCHANGE_MS + 300));
}

test('passthrough: the wait ends when the client leaves; no further exchange, nothing upstream, recorded as 499', async () => {
  await leaveEarly('/openai/v1/models');
  expect(exchanged).toEqual(['alpha']);
  expect(upstream.requests).toHaveLength(0);
  await eventually(() => expect(gw.recorder.passthroughs).toEqual([expect.objectContaining({ httpStatus: 499, path: '/v1/models' })]));
  expect((await gw.bridge.keyPoolStatus())[0].keys.map((k) => k.state)).toEqual(['healthy', 'healthy']);
});

test('bridged: the same, and the interception ends aborted', async () => {
  await leaveEarly('/openai/v1/chat/completions', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(exchanged).toEqual(['alpha']);
  expect(upstream.requests).toHaveLength(0);
  await eventually(() => expect(gw.recorder.interceptionEnds).toEqual([expect.objectContaining({ status: 'aborted', errorType: 'aborted' })]));
});
