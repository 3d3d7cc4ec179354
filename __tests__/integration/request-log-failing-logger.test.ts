// A logger that throws on every line changes nothing for the client: answers, records and the request's end are as without it.
import OpenAI from 'openai';
import winston from 'winston';
import { openaiProvider } from '../../lib';
import { chatScript } from '../helpers/chat-script';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';
import { TestInjector } from '../helpers/test-injector';

let upstream: FakeUpstream;
let gw: Gateway;
let thrown = 0;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  const logger = winston.createLogger({ level: 'debug', transports: [new winston.transports.Console({ silent: true })] });
  for (const level of ['info', 'debug', 'warn'] as const) {
    logger[level] = (() => {
      thrown++;
      throw new Error(`${level} is broken`);
    }) as never;
  }
  gw = await startGateway({ providers: [openaiProvider({ baseURL: upstream.url, keys: ['sk-failing-logger-00000000001'] })], tools: new TestInjector(3), logger });
});
afterAll(async () => {
  await gw.close();
  await upstream.close();
});

test('a tool loop with every log line throwing is answered and ended as usual', async () => {
  upstream.behaviour = chatScript([
    { toolCalls: [{ id: 'c1', name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' }] },
    { text: 'It is 5.' },
  ]);
  const client = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/openai/v1`, maxRetries: 0 });
  const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is 2+3?' }] });
  expect(answer.choices[0].message.content).toBe('It is 5.');
  await eventually(() => expect(gw.recorder.interceptionEnds).toEqual([expect.objectContaining({ status: 'completed', httpStatus: 200 })]));
  // The prompt, the tool call and the end were each attempted.
  expect(thrown).toBeGreaterThanOrEqual(3);
  expect(gw.bridge.stats().providers.openai).toMatchObject({ interceptions: 1, completed: 1, failed: 0 });
});
