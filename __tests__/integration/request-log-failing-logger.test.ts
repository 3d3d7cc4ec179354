// A logger that throws on every line changes nothing for the client: answers, failover, records and the request's end are as without it.
import OpenAI from 'openai';
import winston from 'winston';
import { openaiProvider } from '../../lib';
import { chatScript } from '../helpers/chat-script';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';
import { TestInjector } from '../helpers/test-injector';
import { bearer, keyedUpstream } from '../helpers/keyed-upstream';

let upstream: FakeUpstream;
let gw: Gateway;
let thrown = 0;
const REFUSED = 'sk-failing-logger-00000000002';

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  const logger = winston.createLogger({ level: 'debug', transports: [new winston.transports.Console({ silent: true })] });
  for (const level of ['info', 'debug', 'warn'] as const) {
    logger[level] = (() => {
      thrown++;
      throw new Error(`${level} is broken`);
    }) as never;
  }
  gw = await startGateway({
    providers: [
      openaiProvider({ baseURL: upstream.url, keys: ['sk-failing-logger-00000000001'] }),
      openaiProvider({ name: 'failover', baseURL: upstream.url, keys: [REFUSED, 'sk-failing-logger-00000000003'] }),
    ],
    tools: new TestInjector(3),
    logger,
  });
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

test('a failover whose cooling-down warning throws still reaches the second key', async () => {
  const before = thrown;
  upstream.behaviour = keyedUpstream({ [bearer(REFUSED)]: { status: 401 }, [bearer('sk-failing-logger-00000000003')]: chatScript([{ text: 'second key' }]) });
  const client = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/failover/v1`, maxRetries: 0 });
  const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  expect(answer.choices[0].message.content).toBe('second key');
  expect(thrown).toBeGreaterThan(before);
});
