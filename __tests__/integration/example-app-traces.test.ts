/** The example app with OTEL_EXPORTER_OTLP_ENDPOINT set: the Node SDK exports the bridge's spans to an OTLP/HTTP receiver. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawnExampleApp, type ExampleApp } from '../helpers/example-app-process';

interface Received {
  method: string;
  path: string;
  contentType: string | undefined;
  body: Buffer;
}

let receiver: http.Server;
let received: Received[];
let app: ExampleApp;

beforeAll(async () => {
  received = [];
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'], body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  // A short batch delay: the spans go out within a fraction of a second rather than the default five.
  app = spawnExampleApp({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' });
});

afterAll(async () => {
  await app.stop();
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

test('one request through the bridge: its interception span reaches /v1/traces, with its id and model', async () => {
  const origin = (await app.waitForOutput(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1];
  expect(app.stdout).toMatch(/traces: exported over OTLP\/HTTP to http:\/\/127\.0\.0\.1:\d+/);
  const res = await fetch(`${origin}/ai/openai/v1/chat/completions`, {
    method: 'POST', headers: { authorization: 'Bearer demo-token-bob', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'trace me' }] }),
  });
  expect(res.status).toBe(200);
  await res.json();
  const id = res.headers.get('x-aibridge-interception-id')!;
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  const deadline = Date.now() + 15_000;
  const mine = () => received.find((r) => r.body.includes(id));
  while (!mine() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const post = mine();
  expect(post).toMatchObject({ method: 'POST', path: '/v1/traces' });
  expect(post!.body.includes('chat gpt-4o-mini')).toBe(true);
  expect(post!.body.includes('gen_ai.request.model')).toBe(true);
  // Only traces: metrics and logs are not exported by the example.
  expect(received.every((r) => r.path === '/v1/traces')).toBe(true);
});
