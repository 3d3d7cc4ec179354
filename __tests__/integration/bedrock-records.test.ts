/** What a Bedrock interception records, in every store (memory, SQLite, PostgreSQL): the model asked for and the one invoked. */
import Anthropic from '@anthropic-ai/sdk';
import { bedrockProvider } from '../../lib';
import { anthropicScript } from '../helpers/anthropic-script';
import { ACCESS_KEYS, startFakeBedrock, type FakeBedrock } from '../helpers/bedrock-upstream';
import { eventually, startGateway } from '../helpers/gateway';
import { MAX_RECORDED_LABEL_BYTES, truncationMarker } from '../../lib/recorder/record-limits';
import { STORE_KINDS, cleanupStores, pgAvailable } from '../helpers/stores';

let bedrock: FakeBedrock;

beforeAll(async () => {
  bedrock = await startFakeBedrock({ credentials: [ACCESS_KEYS] });
});
afterAll(async () => {
  await bedrock.close();
  await cleanupStores();
});

const kinds = STORE_KINDS.filter((k) => k.name !== 'PostgresRecorder' || pgAvailable());

test.each(kinds.map((k) => [k.name, k] as const))('%s keeps provider bedrock, the client\'s model and the invoked one, the access key\'s hint', async (_name, kind) => {
  const store = await kind.make();
  const invoked = 'us.anthropic.claude-opus-4-1-20250805-v1:0';
  const gw = await startGateway({ providers: [bedrockProvider({ region: 'us-east-1', baseURL: bedrock.url, credentials: ACCESS_KEYS, models: { 'claude-opus-4-1': invoked } })], recorder: store as never });
  try {
    bedrock.inner.behaviour = anthropicScript([{ text: 'ok', usage: { input_tokens: 12, output_tokens: 3 } }]);
    const client = new Anthropic({ apiKey: 'unused', baseURL: `${gw.url}/bedrock`, maxRetries: 0, defaultHeaders: { 'x-user-token': 'user-token-alice' } });
    const { response } = await client.messages.create({ model: 'claude-opus-4-1', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    const id = response.headers.get('x-aibridge-interception-id')!;
    let detail: Awaited<ReturnType<typeof store.interception>>;
    for (let i = 0; i < 100 && !(detail = await store.interception(id))?.ended; i++) {
      await store.flush?.();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(detail!.interception).toMatchObject({ id, provider: 'bedrock', providerName: 'bedrock', model: 'claude-opus-4-1', upstreamModel: invoked });
    expect(detail!.ended).toMatchObject({ status: 'completed', httpStatus: 200, credentialHint: 'AKIA...0001' });
    expect(detail!.tokenUsages).toEqual([expect.objectContaining({ input: 12, output: 3 })]);
  } finally {
    await gw.close();
  }
});

test('a huge model name the client sends (passed on as it is) is capped in the record like the client\'s own model', async () => {
  const gw = await startGateway({ providers: [bedrockProvider({ region: 'us-east-1', baseURL: bedrock.url, credentials: ACCESS_KEYS })] });
  try {
    bedrock.inner.behaviour = anthropicScript([{ text: 'ok' }]);
    const hugeModel = `m-${'x'.repeat(8000)}`;
    const res = await fetch(`${gw.url}/bedrock/v1/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' },
      body: JSON.stringify({ model: hugeModel, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.text();
    await eventually(() => expect(gw.recorder.interceptions).toHaveLength(1));
    const { model, upstreamModel } = gw.recorder.interceptions[0];
    expect(Buffer.byteLength(model)).toBeLessThanOrEqual(MAX_RECORDED_LABEL_BYTES);
    expect(Buffer.byteLength(upstreamModel!)).toBeLessThanOrEqual(MAX_RECORDED_LABEL_BYTES);
    expect(upstreamModel!.endsWith(truncationMarker(hugeModel.length))).toBe(true);
  } finally {
    await gw.close();
  }
});
