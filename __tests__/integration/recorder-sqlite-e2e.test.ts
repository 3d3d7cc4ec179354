/** End to end: a bridge recording to SqliteRecorder serves a real SDK chat request, and the query API shows it. */
import OpenAI from 'openai';
import { openaiProvider, SqliteRecorder } from '../../lib';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { startGateway, type Gateway } from '../helpers/gateway';
import { cleanupStores, tempDbFile } from '../helpers/stores';

let upstream: FakeUpstream;
let gw: Gateway;
let store: SqliteRecorder;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  store = new SqliteRecorder({ filename: tempDbFile(), flushIntervalMs: 10 });
  gw = await startGateway({ providers: [openaiProvider({ keys: ['sk-pool-key-00000000000000001234'], baseURL: upstream.url })], recorder: store });
});
afterAll(async () => {
  await gw.close();
  await upstream.close();
  await cleanupStores();
});

test('a chat completion through the bridge is stored and queryable, with a cost', async () => {
  const client = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/openai/v1`, maxRetries: 0 });
  const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello <b>' }] }).withResponse();
  expect(data.choices[0]?.message).toBeDefined();
  const id = response.headers.get('x-aibridge-interception-id')!;
  // Records reach the store off the response path: poll (generously) until the end is stored.
  let detail: Awaited<ReturnType<SqliteRecorder['interception']>>;
  for (let i = 0; i < 100 && !(detail = await store.interception(id))?.ended; i++) {
    await store.flush();
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(detail!.interception).toMatchObject({ id, initiatorId: 'alice', model: 'gpt-4o-mini', providerName: 'openai', credentialKind: 'centralized' });
  expect(detail!.ended).toMatchObject({ status: 'completed', httpStatus: 200, credentialHint: 'sk-p...1234' });
  expect(detail!.prompts.map((p) => p.prompt)).toEqual(['hello <b>']);
  expect(detail!.tokenUsages).toHaveLength(1);
  expect(detail!.cost.usd).toBeGreaterThan(0);
  const totals = await store.totals({ filter: { actor: 'alice' } });
  expect(totals).toMatchObject({ interceptions: 1, completed: 1, input: detail!.tokenUsages[0]!.input, output: detail!.tokenUsages[0]!.output });
  const recent = await store.recentInterceptions();
  expect(recent.items.map((i) => i.id)).toEqual([id]);
  expect(store.stats()).toMatchObject({ dropped: 0, flushFailures: 0 });
});
