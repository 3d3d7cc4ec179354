/** Every response id a client sees chains: the id of a streamed tool-loop answer continues from its last upstream response. */
import OpenAI from 'openai';
import { openaiProvider } from '../../lib';
import { bridgeSuite } from '../helpers/gateway';
import { responsesScript } from '../helpers/responses-script';
import { strictResponses } from '../helpers/strict-responses';
import { TestInjector } from '../helpers/test-injector';

const injector = new TestInjector(3);
const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ baseURL: url, keys: ['sk-chain-key-00000000000001'] })], tools: injector }));
const client = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0 });
const ADD = { id: 'call_add', name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' };

test('the id of response.created in a streamed tool loop continues the conversation (the strict upstream accepts it)', async () => {
  const strict = strictResponses(responsesScript([{ toolCalls: [ADD] }, { text: 'It is 5.' }, { text: 'You asked about 2+3.' }]));
  suite.upstream.behaviour = strict;
  const stream = client().responses.stream({ model: 'gpt-5', input: 'What is 2+3?' });
  let createdId: string | undefined;
  stream.on('response.created', (e) => (createdId ??= e.response.id));
  const final = await stream.finalResponse();
  expect(final.output_text).toBe('It is 5.');
  // What the Vercel AI SDK, LangChain and LlamaIndex keep: the first id the stream showed.
  expect(createdId).toBe('resp_step0');

  const next = await client().responses.create({ model: 'gpt-5', previous_response_id: createdId, input: 'What did I ask?' });
  expect(next.output_text).toBe('You asked about 2+3.');
  expect(strict.refused).toEqual([]);
  const sent = suite.upstream.requests.filter((r) => r.method === 'POST').at(-1)!;
  expect(sent.json.previous_response_id).toBe('resp_step1');
  // A byte-level edit: only the id changed.
  expect(sent.body.replace('"resp_step1"', '"resp_step0"')).toContain('"previous_response_id":"resp_step0","input":"What did I ask?"');
});

test('the final id of the same stream, and of a blocking loop, chain as they are', async () => {
  const strict = strictResponses(responsesScript([{ toolCalls: [ADD] }, { text: 'It is 5.' }, { toolCalls: [ADD] }, { text: 'Again 5.' }, { text: 'Done.' }]));
  suite.upstream.behaviour = strict;
  const streamed = await client().responses.stream({ model: 'gpt-5', input: 'What is 2+3?' }).finalResponse();
  expect(streamed.id).toBe('resp_step1');
  const blocking = await client().responses.create({ model: 'gpt-5', previous_response_id: streamed.id, input: 'And again?' });
  expect(blocking.id).toBe('resp_step3');
  const last = await client().responses.create({ model: 'gpt-5', previous_response_id: blocking.id, input: 'Thanks.' });
  expect(last.output_text).toBe('Done.');
  expect(strict.refused).toEqual([]);
});
