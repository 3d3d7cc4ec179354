/** Injected tools through openaiCompatibleProvider: the loop runs on a keyless server, and with `includeUsage: false` every call's missing usage is counted as not reported. */
import OpenAI from 'openai';
import { openaiCompatibleProvider } from '../../lib';
import { chatScript } from '../helpers/chat-script';
import { bridgeSuite, eventually } from '../helpers/gateway';
import { TestInjector } from '../helpers/test-injector';

const injector = new TestInjector(3);
const suite = bridgeSuite((url) => ({
  providers: [openaiCompatibleProvider({ name: 'local', baseURL: url }), openaiCompatibleProvider({ name: 'plain', baseURL: url, includeUsage: false })],
  tools: injector,
}));
const client = (name: string) => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/${name}/v1`, maxRetries: 0 });
const steps = () => chatScript([
  { text: 'Let me add. ', toolCalls: [{ id: 'call_1', name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' }], usage: { prompt_tokens: 20, completion_tokens: 7 } },
  { text: 'It is 5.', usage: { prompt_tokens: 40, completion_tokens: 4 } },
]);

async function streamed(name: string): Promise<string> {
  const stream = await client(name).chat.completions.create({ model: 'llama3', stream: true, messages: [{ role: 'user', content: 'What is 2+3?' }] });
  let text = '';
  for await (const c of stream) {
    expect(c.choices[0]?.delta?.tool_calls).toBeUndefined();
    text += c.choices[0]?.delta?.content ?? '';
  }
  return text;
}

beforeEach(() => {
  injector.calls.length = 0;
});

test('keyless: the injected tool runs, its call stays hidden, each call is recorded; no auth header goes up', async () => {
  const script = steps();
  suite.upstream.behaviour = script;
  expect(await streamed('local')).toBe('Let me add. It is 5.');
  expect(injector.calls).toHaveLength(1);
  expect(script.calls).toHaveLength(2);
  for (const call of script.calls) expect(call.headers.authorization).toBeUndefined();
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  expect(suite.gw.recorder.tokenUsages.map((u) => [u.input, u.output])).toEqual([[20, 7], [40, 4]]);
  expect(suite.gw.recorder.interceptionEnds[0].extra).toBeUndefined();
});

test('includeUsage: false: no call asks for usage, none is recorded as zero, the end counts both as not reported', async () => {
  const script = steps();
  suite.upstream.behaviour = script;
  expect(await streamed('plain')).toBe('Let me add. It is 5.');
  expect(script.calls.map((c) => c.json.stream_options)).toEqual([undefined, undefined]);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  expect(suite.gw.recorder.tokenUsages).toEqual([]);
  expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed', extra: { usageNotReported: 2 } });
  expect(suite.gw.recorder.toolUsages.map((t) => t.tool)).toEqual(['bmcp_calc_add']);
});
