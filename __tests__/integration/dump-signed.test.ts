/** API dumps of a provider that signs each attempt: the request as the hook rewrote it, the upstream's own framing, per attempt. */
import OpenAI from 'openai';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';
import { signedProvider, FRAMES_TYPE, keyId } from '../helpers/signed-provider';
import { startSignedUpstream, type SignedUpstream } from '../helpers/signed-upstream';
import { attemptFiles, everyByte, removeTempDirs, tempDir } from '../helpers/dump-files';
import { leakedSecrets } from '../helpers/keyed-upstream';

const KEYS = ['sk-signed-dump-key-00000001', 'sk-signed-dump-key-00000002'];
let upstream: SignedUpstream;
let gw: Gateway;
let dir: string;

beforeAll(async () => {
  upstream = await startSignedUpstream(KEYS);
  dir = tempDir();
  gw = await startGateway({ providers: [signedProvider({ baseURL: upstream.url, keys: KEYS })], dump: { dir } });
});
afterAll(async () => {
  await gw.close();
  await upstream.close();
  removeTempDirs();
});

test('a signed stream after a refused key: two files, each with the signature it was sent with and the raw frames', async () => {
  upstream.refused.add(KEYS[0]);
  const sdk = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/signed/v1`, maxRetries: 0 });
  const stream = await sdk.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  let text = '';
  for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
  expect(text).toBeTruthy();
  expect(upstream.requests.map((r) => r.signedBy)).toEqual([KEYS[0], KEYS[1]]);
  const id = gw.recorder.interceptions[0].id;
  await eventually(() => {
    const files = attemptFiles(dir, id);
    expect(files.map((f) => f.name)).toEqual(['001-attempt.http', '002-attempt.http']);
    expect(files[1].text).toContain(`\nHTTP/1.1 200\ncontent-type: ${FRAMES_TYPE}`);
  });
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
  const [first, second] = attemptFiles(dir, id);
  // The path and headers the hook produced, not the route's: what the upstream really got.
  expect(first.text.startsWith('POST /model/gpt-4o-mini/chat HTTP/1.1\n')).toBe(true);
  expect(first.text).toContain(`\nx-signed-key: ${keyId(KEYS[0])}\n`);
  expect(first.text).toContain(`\nx-signed-signature: ${upstream.requests[0].headers['x-signed-signature']}\n`);
  expect(first.text).toContain('\nHTTP/1.1 401\n');
  expect(second.text).toContain(`\nx-signed-key: ${keyId(KEYS[1])}\n`);
  expect(leakedSecrets(everyByte(dir), KEYS)).toEqual([]);
});
