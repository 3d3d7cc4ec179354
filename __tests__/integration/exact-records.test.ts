import { openaiProvider } from '../../lib';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { startGateway, eventually, type Gateway } from '../helpers/gateway';

let upstream: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  gw = await startGateway({ providers: [openaiProvider({ name: 'openai-eu', keys: ['sk-eu-pool-key-000000000000009876'], baseURL: upstream.url })] });
});
afterAll(async () => {
  await gw.close();
  await upstream.close();
});

const request = (body: object) => fetch(`${gw.url}/openai-eu/v1/chat/completions`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-bob', 'user-agent': 'claude-cli/2.0.1 (external, cli)', 'x-claude-code-session-id': 'sess-42' },
  body: JSON.stringify(body),
});

test('a blocking request produces exactly these records', async () => {
  const res = await request({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: [{ type: 'text', text: 'part one' }, { type: 'text', text: 'part two' }] }] });
  const id = res.headers.get('x-aibridge-interception-id')!;
  await res.text();
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
  const r = gw.recorder.forInterception(id);
  expect(r.interception).toEqual({
    id, initiatorId: 'bob', metadata: { email: 'bob@example.com' }, provider: 'openai', providerName: 'openai-eu',
    route: '/v1/chat/completions', model: 'gpt-4o-mini', streaming: false, startedAt: expect.any(Date),
    userAgent: 'claude-cli/2.0.1 (external, cli)', client: 'claude-code', clientSessionId: 'sess-42', credentialKind: 'centralized',
  });
  expect(r.ended).toEqual({
    id, endedAt: expect.any(Date), status: 'completed', httpStatus: 200, credentialHint: 'sk-e...9876',
    attempts: [{ credentialHint: 'sk-e...9876', httpStatus: 200, durationMs: expect.any(Number) }],
    gatewayMs: expect.any(Number), upstreamFirstByteMs: expect.any(Number),
  });
  expect(r.ended!.endedAt.getTime()).toBeGreaterThanOrEqual(r.interception!.startedAt.getTime());
  expect(r.promptUsages).toEqual([{ interceptionId: id, msgId: '', prompt: 'part one\npart two', createdAt: expect.any(Date) }]);
  expect(r.tokenUsages).toEqual([{
    interceptionId: id, msgId: 'chatcmpl-test123', input: 10, output: 5, cacheRead: 2, cacheWrite: 0, createdAt: expect.any(Date),
    extra: { prompt_audio_tokens: 0, completion_reasoning_tokens: 1, completion_audio_tokens: 0, completion_accepted_prediction_tokens: 0, completion_rejected_prediction_tokens: 0, total_tokens: 17 },
  }]);
  expect(r.toolUsages).toEqual([]);
  expect(gw.recorder.interceptions).toHaveLength(1);
});
