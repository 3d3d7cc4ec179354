// Without a recorder or metrics, a blocking answer is still read for its tokens when the ended line is logged (and only then).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import winston from 'winston';
import OpenAI from 'openai';
import { createBridge, openaiProvider, type Bridge } from '../../lib';
import { chatScript } from '../helpers/chat-script';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { MemoryTransport, eventually } from '../helpers/gateway';

let upstream: FakeUpstream;
let bridge: Bridge;
let server: http.Server;
let client: OpenAI;
const logs = new MemoryTransport();

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  const logger = winston.createLogger({ level: 'info', transports: [logs] });
  bridge = createBridge({ providers: [openaiProvider({ keys: ['sk-pool-no-recorder-0001'], baseURL: upstream.url })], actor: () => ({ id: 'alice' }), logger });
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

test('the ended line of a blocking request counts its tokens with nothing else reading them', async () => {
  upstream.behaviour = chatScript([{ text: 'ok', usage: { prompt_tokens: 20, completion_tokens: 7 } }]);
  const answer = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
  expect(answer.usage?.total_tokens).toBe(27);
  await eventually(() => expect(logs.lines.filter((l) => l.includes('interception ended'))).toHaveLength(1));
  const ended = JSON.parse(logs.lines.find((l) => l.includes('interception ended'))!);
  expect(ended).toMatchObject({ level: 'info', status: 'completed', httpStatus: 200, actorId: 'alice', model: 'm', tokens: { input: 20, output: 7, cacheRead: 0, cacheWrite: 0 } });
});
