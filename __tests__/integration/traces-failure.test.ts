/** A tracer that throws never changes what the client gets: blocking, streaming, tool-loop and passthrough requests answer as usual. */
import OpenAI from 'openai';
import { openaiProvider } from '../../lib';
import { chatScript } from '../helpers/chat-script';
import { eventually } from '../helpers/gateway';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { TestInjector } from '../helpers/test-injector';
import { registerContextManager, startTraceHost, type TraceHost } from '../helpers/trace-host';

const broken = () => {
  throw new Error('the tracing SDK is broken');
};
/** Every span method throws; `spans` counts the spans started. */
const throwingSpans = { spans: 0 };
const throwingProvider = {
  getTracer: () => ({
    startSpan: () => {
      throwingSpans.spans++;
      return { setAttribute: broken, setAttributes: broken, setStatus: broken, updateName: broken, end: broken, spanContext: broken, isRecording: broken };
    },
  }),
};
const throwingTracer = { getTracer: () => ({ startSpan: broken }) };

let upstream: FakeUpstream;
const hosts: TraceHost[] = [];

beforeAll(async () => {
  registerContextManager();
  upstream = await startFakeOpenAI();
  for (const tracerProvider of [throwingProvider, throwingTracer]) {
    hosts.push(await startTraceHost({ providers: [openaiProvider({ baseURL: upstream.url, keys: ['sk-broken-tracer-000000000001'] })], tools: new TestInjector(3), tracing: { tracerProvider } }, 'off'));
  }
});

afterAll(async () => {
  for (const host of hosts) await host.close();
  await upstream.close();
});

test.each([0, 1])('tracer %#: every kind of request answers as without tracing, and ends its record', async (i) => {
  const host = hosts[i];
  const sdk = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${host.base}/ai/openai/v1`, maxRetries: 0 });
  const ask = () => sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  upstream.behaviour = undefined;
  expect((await ask()).choices[0].message.content).toBe('Hello there!');
  const stream = await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  expect(text).not.toBe('');
  upstream.behaviour = chatScript([{ toolCalls: [{ id: 'call_1', name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' }] }, { text: 'It is 5.' }]);
  expect((await ask()).choices[0].message.content).toBe('It is 5.');
  upstream.behaviour = undefined;
  expect((await sdk.models.retrieve('gpt-4o-mini')).id).toBe('gpt-4o-mini');
  await eventually(() => expect(host.recorder.interceptionEnds.map((e) => e.status)).toEqual(['completed', 'completed', 'completed']));
  if (i === 0) expect(throwingSpans.spans).toBeGreaterThan(5);
});
