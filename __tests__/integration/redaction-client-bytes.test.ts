// Keys never reach a client: every hostile shape, on every API and passthrough, decoded as an SDK would decode it.
import OpenAI from 'openai';
import { maskKey } from '../../lib';
import { leakedSecrets } from '../helpers/keyed-upstream';
import { GZIP_OK, SECRETS, answerWith, clientView, redactionSuite, scenarios, send } from '../helpers/redaction-scenarios';

const suite = redactionSuite();

test.each(scenarios().map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
  answerWith(suite.upstream, scenario.answer);
  const { raw, decoded } = await clientView(await send(suite.gw.url, scenario));
  expect(leakedSecrets(raw, SECRETS)).toEqual([]);
  expect(leakedSecrets(decoded, SECRETS)).toEqual([]);
  if (scenario.clientHint) expect(decoded).toContain(maskKey(scenario.key));
});

test('upstreams are asked for identity encoding on bridged and passthrough routes', async () => {
  await send(suite.gw.url, { path: '/openai/v1/chat/completions', method: 'POST', body: { model: 'model-plain', messages: [{ role: 'user', content: 'hi' }] }, headers: { 'accept-encoding': 'gzip, br' } } as never);
  await send(suite.gw.url, { path: '/openai/v1/models', method: 'GET', headers: { 'accept-encoding': 'gzip, br' } } as never);
  expect(suite.upstream.requests.map((r) => r.headers['accept-encoding'])).toEqual(['identity', 'identity']);
});

test('a gzip 200 on a bridged route reaches the SDK readable (decoded, without Content-Encoding)', async () => {
  suite.upstream.behaviour = (_req, res) => GZIP_OK(res, '');
  const client = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0 });
  const { data, response } = await client.chat.completions.create({ model: 'model-plain', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
  expect(data.choices[0].message.content).toBe('zipped');
  expect(response.headers.get('content-encoding')).toBeNull();
});

test('a gzip 200 on passthrough reaches the client readable (decoded, so scanned, without Content-Encoding)', async () => {
  suite.upstream.behaviour = (_req, res) => GZIP_OK(res, '');
  const res = await fetch(`${suite.gw.url}/openai/v1/models`, { headers: { 'x-user-token': 'user-token-alice' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-encoding')).toBeNull();
  expect(((await res.json()) as { id: string }).id).toBe('chatcmpl-gz');
});

test('the SDK error of a blocking answer with an escaped key shows the hint only', async () => {
  const s = scenarios().find((x) => x.name === 'chat, blocking: error body with the key in \\u escapes')!;
  answerWith(suite.upstream, s.answer);
  const client = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0 });
  const err = await client.chat.completions.create({ model: 'model-plain', messages: [{ role: 'user', content: 'hi' }] }).catch((e: Error) => e);
  expect(err).toBeInstanceOf(OpenAI.APIError);
  expect(leakedSecrets((err as Error).message, SECRETS)).toEqual([]);
  expect((err as Error).message).toContain(maskKey(s.key));
});
