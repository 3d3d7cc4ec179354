/** A host that mounted a body parser in front of the bridge: bridged and passthrough routes still get the body. */
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBridge, openaiProvider, type Bridge } from '../../lib';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { testActor } from '../helpers/gateway';

let upstream: FakeUpstream;
const servers: Array<{ server: http.Server; bridge: Bridge }> = [];

beforeAll(async () => {
  upstream = await startFakeOpenAI();
});
afterAll(async () => {
  for (const { server, bridge } of servers) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await bridge.close();
  }
  await upstream.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
});

async function hostWith(parser: express.RequestHandler): Promise<string> {
  const bridge = createBridge({ providers: [openaiProvider({ keys: ['sk-1'], baseURL: upstream.url })], actor: testActor });
  const app = express();
  app.use(parser);
  app.use('/ai', bridge);
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ server, bridge });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/ai/openai/v1`;
}

const post = (url: string, body: string) => fetch(url, {
  method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' }, body, signal: AbortSignal.timeout(3000),
});

const body = '{ "items": [ {"type":"message","role":"user","content":"héllo"} ] }';

test('express.json() in front: passthrough POST does not hang; the re-serialised body goes up', async () => {
  const base = await hostWith(express.json());
  const res = await post(`${base}/conversations`, body);
  expect(res.status).toBe(200);
  const seen = upstream.requests[0];
  expect(JSON.parse(seen.body)).toEqual(JSON.parse(body));
  expect(seen.headers['content-length']).toBe(String(Buffer.byteLength(seen.body)));
});

test('express.json({ verify }) keeping req.rawBody: the exact bytes go up, on passthrough and bridged routes', async () => {
  const base = await hostWith(express.json({ verify: (req, _res, buf) => { (req as unknown as { rawBody: Buffer }).rawBody = Buffer.from(buf); } }));
  expect((await post(`${base}/conversations`, body)).status).toBe(200);
  expect(upstream.requests[0].body).toBe(body);
  const chat = '{ "model": "m",  "messages": [] }';
  expect((await post(`${base}/chat/completions`, chat)).status).toBe(200);
  expect(upstream.requests[1].body).toBe(chat);
});

test('express.raw() in front: the Buffer is forwarded as it is', async () => {
  const base = await hostWith(express.raw({ type: '*/*' }));
  expect((await post(`${base}/conversations`, body)).status).toBe(200);
  expect(upstream.requests[0].body).toBe(body);
});
