/** A host's own provider kind is stored and read back by every recorder (memory, SQLite, PostgreSQL). */
import OpenAI from 'openai';
import { chatScript } from '../helpers/chat-script';
import { startGateway } from '../helpers/gateway';
import { signedProvider } from '../helpers/signed-provider';
import { startSignedUpstream, type SignedUpstream } from '../helpers/signed-upstream';
import { STORE_KINDS, cleanupStores, pgAvailable } from '../helpers/stores';

const KEYS = ['sk-signed-key-000000000001'];
let upstream: SignedUpstream;

beforeAll(async () => {
  upstream = await startSignedUpstream(KEYS);
});
afterAll(async () => {
  await upstream.close();
  await cleanupStores();
});

const kinds = STORE_KINDS.filter((k) => k.name !== 'PostgresRecorder' || pgAvailable());

test.each(kinds.map((k) => [k.name, k] as const))('%s stores and returns provider kind "signed"', async (_name, kind) => {
  const store = await kind.make();
  const gw = await startGateway({ providers: [signedProvider({ baseURL: upstream.url, keys: KEYS })], recorder: store as never });
  try {
    upstream.inner.behaviour = chatScript([{ text: 'ok' }]);
    const client = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/signed/v1`, maxRetries: 0 });
    const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    const id = response.headers.get('x-aibridge-interception-id')!;
    let detail: Awaited<ReturnType<typeof store.interception>>;
    for (let i = 0; i < 100 && !(detail = await store.interception(id))?.ended; i++) {
      await store.flush?.();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(detail!.interception).toMatchObject({ id, provider: 'signed', providerName: 'signed' });
    expect(detail!.ended).toMatchObject({ status: 'completed', httpStatus: 200 });
    const recent = await store.recentInterceptions();
    expect(recent.items.map((i) => [i.id, i.provider])).toEqual([[id, 'signed']]);
  } finally {
    await gw.close();
  }
});
