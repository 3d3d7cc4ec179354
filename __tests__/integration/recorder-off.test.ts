/** A bridge without a recorder: requests are answered and counted as with one; nothing is recorded. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import winston from 'winston';
import OpenAI from 'openai';
import { createBridge, openaiProvider, type Bridge } from '../../lib';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';

let upstream: FakeUpstream;
let bridge: Bridge;
let server: http.Server;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  const logger = winston.createLogger({ transports: [new winston.transports.Console({ silent: true })] });
  bridge = createBridge({ providers: [openaiProvider({ keys: ['sk-pool-0001'], baseURL: upstream.url })], actor: () => ({ id: 'alice' }), logger });
  const app = express();
  app.use('/ai', bridge);
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new OpenAI({ apiKey: 'client-key', baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ai/openai/v1`, maxRetries: 0 });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await bridge.close();
  await upstream.close();
});

test('blocking and streamed requests are counted as they end, with no recorder to end a record in', async () => {
  const answer = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
  expect(answer.choices[0].message.content).toEqual(expect.any(String));
  const stream = await client.chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  let chunks = 0;
  for await (const _chunk of stream) chunks++;
  expect(chunks).toBeGreaterThan(0);
  expect(bridge.stats().providers.openai).toMatchObject({ interceptions: 2, completed: 2, failed: 0, upstreamAttempts: 2 });
});
