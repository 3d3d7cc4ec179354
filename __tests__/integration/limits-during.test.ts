// enforce: 'during': a stream relayed while its subject's budget is spent elsewhere is cut with one error event.
import { openaiProvider } from '../../lib';
import { startFakeUpstream, type FakeUpstream } from '../../lib/testing/fixtures';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';
import { openaiClient, teamActor, until } from '../helpers/limits';

let upstream: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  // Six events, 600 ms apart: long enough for another request to spend the budget while this one streams.
  upstream = await startFakeUpstream({ chunkDelayMs: 600 });
});
afterAll(async () => {
  await gw?.close();
  await upstream.close();
});

async function streamText(res: Response, onChunk: () => void): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
    onChunk();
  }
}

test.each([
  ['during', 'cuts', true],
  ['admission', 'leaves', false],
] as const)('enforce: %s — a budget spent by another request while a stream is relayed %s that stream', async (enforce, _verb, cut) => {
  await gw?.close();
  gw = await startGateway({
    actor: teamActor,
    providers: [openaiProvider({ baseURL: upstream.url, keys: ['sk-during-openai-0000000001'] })],
    limits: [{ name: 'hard', per: 'actor', tokens: { points: 5, windowMs: 60_000 }, enforce }],
  });
  const res = await fetch(`${gw.url}/openai/v1/chat/completions`, {
    method: 'POST', headers: { authorization: 'Bearer tok-alice', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(res.status).toBe(200);
  const closedEarly = upstream.streams.closedEarly;
  let chunks = 0;
  const reading = streamText(res, () => chunks++);
  await until(() => chunks >= 1);
  // The same actor's blocking request is admitted (nothing used yet) and spends the whole budget.
  await openaiClient(gw.url).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  const text = await reading;
  const ended = () => gw.recorder.interceptionEnds.find((e) => e.id !== undefined && e.httpStatus === 200 && gw.recorder.interceptions.find((i) => i.id === e.id)?.streaming);
  if (cut) {
    expect(text).not.toContain('[DONE]');
    const events = text.split('\n\n').filter((e) => e.startsWith('data: '));
    expect(JSON.parse(events[events.length - 1].slice(6))).toEqual({ error: { message: expect.stringContaining('hard'), type: 'rate_limit_error', code: 'budget_exceeded' } });
    await eventually(() => expect(ended()).toMatchObject({ status: 'failed', errorType: 'rate_limited', errorCode: 'budget_exceeded' }));
    // The upstream stream was abandoned, not read to its end.
    await eventually(() => expect(upstream.streams.closedEarly).toBe(closedEarly + 1));
  } else {
    expect(text).toContain('data: [DONE]');
    await eventually(() => expect(ended()).toMatchObject({ status: 'completed' }));
  }
}, 15_000);
