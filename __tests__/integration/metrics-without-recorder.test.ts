/** Metrics count a blocking answer's tokens when no recorder is configured (nothing else reads that answer). */
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { Registry } from 'prom-client';
import winston from 'winston';
import { createBridge, openaiProvider, type Bridge } from '../../lib';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { testActor } from '../helpers/gateway';

let upstream: FakeUpstream;
let server: http.Server;
let bridge: Bridge;
let base: string;
const registry = new Registry();

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  bridge = createBridge({
    providers: [openaiProvider({ baseURL: upstream.url, keys: ['sk-metrics-norec-000000000001'] })], actor: testActor,
    logger: winston.createLogger({ silent: true }), metrics: { registry },
  });
  const app = express();
  app.use('/ai', bridge);
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await bridge.close();
  await upstream.close();
});

async function tokens(type: string): Promise<number | undefined> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'aibridge_tokens_total');
  return metric?.values.find((v) => v.labels.type === type && v.labels.model === 'gpt-4o-mini')?.value;
}

test('a blocking answer relayed with no recorder still has its tokens counted', async () => {
  const sdk = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${base}/ai/openai/v1`, maxRetries: 0 });
  const answer = await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  expect(answer.choices[0].message.content).toBe('Hello there!');
  // The fake's answer: 12 prompt tokens of which 2 cached, 5 completion tokens of which 1 reasoning.
  expect(await tokens('input')).toBe(10);
  expect(await tokens('output')).toBe(5);
  expect(await tokens('cache_read')).toBe(2);
});
