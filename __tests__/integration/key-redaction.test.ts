// An upstream that echoes a key back: client bodies, error events, records and logs carry the hint, never the key.
import { openaiProvider, maskKey } from '../../lib';
import { chunk } from '../helpers/fake-openai';
import { bridgeSuite, eventually } from '../helpers/gateway';
import { leakedSecrets } from '../helpers/keyed-upstream';

const POOL_KEY = 'sk-pool-secret-aaaaaaaaaaaaaaaaaaaa9876';
const CLIENT_KEY = 'sk-client-own-bbbbbbbbbbbbbbbbbbbb5432';
const SECRETS = [POOL_KEY, CLIENT_KEY];
const suite = bridgeSuite((url) => ({ providers: [
  openaiProvider({ keys: [POOL_KEY], baseURL: url }),
  openaiProvider({ name: 'byok', keys: [], byok: true, baseURL: url }),
] }));

const post = (provider: string, body: object, headers: Record<string, string> = { 'x-user-token': 'user-token-alice' }) =>
  fetch(`${suite.gw.url}/${provider}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

/** An upstream that quotes whatever bearer token it got, as OpenAI does for a bad key. */
function echoKey(status: number) {
  suite.upstream.behaviour = (req, res) => {
    const key = String(req.headers.authorization).replace(/^Bearer /, '');
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${key}. Find your key at https://example.test.`, type: 'invalid_request_error', code: 'invalid_api_key' } }));
  };
}

async function everythingStored(): Promise<string> {
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  return JSON.stringify({ records: suite.gw.recorder, logs: suite.gw.logs.lines });
}

test('blocking non-2xx body quoting a pool key: client body and record show the hint', async () => {
  echoKey(400);
  const res = await post('openai', CHAT);
  expect(res.status).toBe(400);
  const text = await res.text();
  expect(leakedSecrets(text, SECRETS)).toEqual([]);
  expect(JSON.parse(text).error.message).toBe(`Incorrect API key provided: ${maskKey(POOL_KEY)}. Find your key at https://example.test.`);
  const stored = await everythingStored();
  expect(leakedSecrets(stored, SECRETS)).toEqual([]);
  expect(suite.gw.recorder.interceptionEnds[0].errorMessage).toContain(maskKey(POOL_KEY));
});

test('BYOK: the client key quoted in a 401 is neither relayed back nor recorded nor logged', async () => {
  echoKey(401);
  const res = await post('byok', CHAT, { 'x-user-token': 'user-token-alice', authorization: `Bearer ${CLIENT_KEY}` });
  expect(res.status).toBe(401);
  const text = await res.text();
  expect(leakedSecrets(text, SECRETS)).toEqual([]);
  expect(text).toContain(maskKey(CLIENT_KEY));
  const stored = await everythingStored();
  expect(leakedSecrets(stored, SECRETS)).toEqual([]);
  expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ errorType: 'unauthorized', errorMessage: expect.stringContaining(maskKey(CLIENT_KEY)) });
});

test('an error event mid-stream quoting the pool key: relayed and recorded with the hint', async () => {
  suite.upstream.behaviour = (req, res) => {
    const key = String(req.headers.authorization).replace(/^Bearer /, '');
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${JSON.stringify(chunk({ role: 'assistant', content: 'Hi' }))}\n\n`);
    res.end(`data: ${JSON.stringify({ error: { message: `Key ${key} was revoked mid-stream`, type: 'invalid_request_error', code: null } })}\n\n`);
  };
  const text = await (await post('openai', { ...CHAT, stream: true })).text();
  expect(leakedSecrets(text, SECRETS)).toEqual([]);
  const events = text.split('\n\n').filter(Boolean);
  expect(events).toHaveLength(2);
  expect(JSON.parse(events[1].slice('data: '.length))).toEqual({ error: { message: `Key ${maskKey(POOL_KEY)} was revoked mid-stream`, type: 'invalid_request_error', code: null } });
  const stored = await everythingStored();
  expect(leakedSecrets(stored, SECRETS)).toEqual([]);
  expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', errorMessage: `Key ${maskKey(POOL_KEY)} was revoked mid-stream` });
});

test('BYOK stream: an error event quoting the client key is redacted too', async () => {
  suite.upstream.behaviour = (req, res) => {
    const key = String(req.headers.authorization).replace(/^Bearer /, '');
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(`data: ${JSON.stringify({ error: { message: `Key ${key} is over quota`, type: 'insufficient_quota', code: null } })}\n\n`);
  };
  const text = await (await post('byok', { ...CHAT, stream: true }, { 'x-user-token': 'user-token-alice', authorization: `Bearer ${CLIENT_KEY}` })).text();
  expect(leakedSecrets(text, SECRETS)).toEqual([]);
  expect(text).toContain(maskKey(CLIENT_KEY));
  expect(leakedSecrets(await everythingStored(), SECRETS)).toEqual([]);
});

test('passthrough error body quoting the pool key: the client gets the hint (pool and BYOK)', async () => {
  echoKey(403);
  const pooled = await fetch(`${suite.gw.url}/openai/v1/models`, { headers: { 'x-user-token': 'user-token-alice' } });
  expect(pooled.status).toBe(403);
  const pooledText = await pooled.text();
  expect(leakedSecrets(pooledText, SECRETS)).toEqual([]);
  expect(pooledText).toContain(maskKey(POOL_KEY));
  const own = await fetch(`${suite.gw.url}/byok/v1/models`, { headers: { 'x-user-token': 'user-token-alice', authorization: `Bearer ${CLIENT_KEY}` } });
  expect(own.status).toBe(403);
  const ownText = await own.text();
  expect(leakedSecrets(ownText, SECRETS)).toEqual([]);
  expect(ownText).toContain(maskKey(CLIENT_KEY));
  expect(leakedSecrets(JSON.stringify(suite.gw.logs.lines), SECRETS)).toEqual([]);
});
