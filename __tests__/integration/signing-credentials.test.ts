// A credential made of several secrets (access key id, secret, session token), as a signing provider's adapter would
// send them: the upstream quoting all three never gets any of them past the bridge.
import OpenAI from 'openai';
import { maskKey, openaiProvider, signingCredential, staticCredentials, type BridgedProvider } from '../../lib';
import { chatCompletion } from '../helpers/fake-openai';
import { bridgeSuite, eventually } from '../helpers/gateway';
import { leakedSecrets } from '../helpers/keyed-upstream';

const ACCESS_KEY_ID = 'AKIAEXAMPLEACCESS7890';
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SESSION_TOKEN = 'FwoGZXIvYXdzEXAMPLE//////////wEaDsessiontoken0123456789';
const SECRETS = [ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN];
const credential = signingCredential({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, sessionToken: SESSION_TOKEN });

/** An OpenAI-shaped provider whose adapter sends a signing credential's three parts (as a signing adapter reads them). */
function signingProvider(baseURL: string): BridgedProvider {
  const base = openaiProvider({ name: 'signed', keys: ['sk-placeholder-unused-aaaaaaaaaaaa'], baseURL });
  return {
    ...base,
    credentials: staticCredentials([credential]),
    credentialHeaders: (c) => (c.type === 'signing'
      ? { 'x-access-key-id': c.accessKeyId, 'x-secret': c.secretAccessKey, 'x-session-token': c.sessionToken ?? '' }
      : base.credentialHeaders(c, 'centralized')),
  };
}

const suite = bridgeSuite((url) => ({ providers: [signingProvider(url)] }));

test('the adapter reads the secrets it needs; an upstream quoting all three shows only the hint', async () => {
  suite.upstream.behaviour = (req, res) => {
    const quoted = `${req.headers['x-access-key-id']} ${req.headers['x-secret']} ${req.headers['x-session-token']}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(chatCompletion({ choices: [{ index: 0, message: { role: 'assistant', content: quoted }, finish_reason: 'stop' }] })));
  };
  const sdk = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/signed/v1`, maxRetries: 0 });
  const answer = await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

  expect(suite.upstream.requests[0].headers).toMatchObject({ 'x-access-key-id': ACCESS_KEY_ID, 'x-secret': SECRET_ACCESS_KEY, 'x-session-token': SESSION_TOKEN });
  const hint = maskKey(ACCESS_KEY_ID);
  expect(credential.hint).toBe(hint);
  expect(answer.choices[0].message.content).toBe(`${hint} ${hint} ${hint}`);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  expect(suite.gw.recorder.interceptionEnds[0].credentialHint).toBe(hint);
  expect(leakedSecrets(JSON.stringify({ records: suite.gw.recorder, logs: suite.gw.logs.lines }), SECRETS)).toEqual([]);
});
