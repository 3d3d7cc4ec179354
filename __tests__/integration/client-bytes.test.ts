/** The upstream gets the client's own bytes (only `stream_options.include_usage` spliced in), and the client gets the upstream's. */
import { openaiProvider } from '../../lib';
import { textStreamEvents } from '../helpers/fake-openai';
import { bridgeSuite, eventually } from '../helpers/gateway';

const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ keys: ['sk-1'], baseURL: url })] }));

function post(body: string) {
  return fetch(`${suite.gw.url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' },
    body,
  });
}

const sse = (events: string[]) => events.map((e) => `data: ${e}\n\n`).join('');

test('numbers beyond double precision reach the upstream as the client wrote them', async () => {
  const body = '{"model":"gpt-4o-mini","stream":true,"seed":12345678901234567890,"temperature":1.0e0,"messages":[{"role":"user","content":"h\\u00e9 \\ud83d\\udc4b"}]}';
  await (await post(body)).text();
  expect(suite.upstream.requests[0].body).toBe('{"stream_options":{"include_usage":true},' + body.slice(1));
});

test('stream_options without include_usage: only the inside of that value changes', async () => {
  const body = ' \n{ "model" : "gpt-4o-mini", "stream_options" : { "include_obfuscation" : false } , "stream": true, "seed": 1e400, "messages": [] }';
  await (await post(body)).text();
  expect(suite.upstream.requests[0].body).toBe(body.replace('{ "include_obfuscation" : false }', '{"include_usage":true, "include_obfuscation" : false }'));
});

test('include_usage: false is replaced in place; a duplicate stream_options key edits the one JSON.parse keeps', async () => {
  const body = '{"stream_options":{"include_usage":true},"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":false,"x":1},"messages":[]}';
  await (await post(body)).text();
  expect(suite.upstream.requests[0].body).toBe(body.replace('"include_usage":false,"x":1', '"include_usage":true,"x":1'));
  expect(suite.upstream.requests[0].json.stream_options).toEqual({ include_usage: true, x: 1 });
});

test('5,000 levels of nesting with stream: true are relayed, not a 500', async () => {
  const deep = '['.repeat(5000) + ']'.repeat(5000);
  const body = `{"model":"gpt-4o-mini","stream":true,"messages":[],"metadata":${deep}}`;
  const res = await post(body);
  expect(res.status).toBe(200);
  await res.text();
  expect(suite.upstream.requests[0].body).toBe('{"stream_options":{"include_usage":true},' + body.slice(1));
});

test('a client that did not ask for usage sees no "usage":null in its chunks, and no usage chunk', async () => {
  const res = await post(JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [] }));
  const text = await res.text();
  expect(text).not.toContain('"usage"');
  const expected = textStreamEvents(false);
  expect(text).toBe(sse(expected));
  await eventually(() => expect(suite.gw.recorder.tokenUsages).toHaveLength(1));
});

test('a client that asked for usage gets every chunk byte-identical', async () => {
  const res = await post(JSON.stringify({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [] }));
  expect(await res.text()).toBe(sse(textStreamEvents(true)));
});
