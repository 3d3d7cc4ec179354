import { openaiProvider } from '../../lib';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { startGateway, type Gateway } from '../helpers/gateway';

let upstream: FakeUpstream;
let plain: Gateway;
let withActor: Gateway;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  plain = await startGateway({ providers: [openaiProvider({ keys: ['sk-1'], baseURL: upstream.url })] });
  withActor = await startGateway({ providers: [openaiProvider({ keys: ['sk-1'], baseURL: upstream.url, actorHeaders: true })] });
});
afterAll(async () => {
  await plain.close();
  await withActor.close();
  await upstream.close();
});

const send = (gw: Gateway) => fetch(`${gw.url}/openai/v1/chat/completions`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice', 'x-api-key': 'client-secret', 'x-aibridge-actor-id': 'forged' },
  body: JSON.stringify({ model: 'm', messages: [] }),
});

test('actorHeaders: true sends the actor id and metadata upstream, replacing anything the client sent', async () => {
  upstream.requests.length = 0;
  expect((await send(withActor)).status).toBe(200);
  const seen = upstream.requests[0].headers;
  expect(seen['x-aibridge-actor-id']).toBe('alice');
  expect(seen['x-aibridge-actor-metadata-email']).toBe('alice@example.com');
  expect(seen['x-api-key']).toBeUndefined();
});

test('actorHeaders off (default): no actor headers added; client x-api-key is stripped', async () => {
  upstream.requests.length = 0;
  expect((await send(plain)).status).toBe(200);
  const seen = upstream.requests[0].headers;
  expect(seen['x-aibridge-actor-metadata-email']).toBeUndefined();
  expect(seen['x-aibridge-actor-id']).toBeUndefined(); // the client's forged one is not forwarded either
  expect(seen['x-api-key']).toBeUndefined();
  expect(seen.authorization).toBe('Bearer sk-1');
});
