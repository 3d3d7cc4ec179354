/** ProviderOptions.credentials beside keys: one of the two, checked at creation with messages that show no secret. */
import { anthropicProvider, openaiProvider, signingCredential, staticKey, type CredentialSource } from '../../lib';

const KEY = 'sk-proj-secretsecretsecret1234';

test('a list of key credentials is the pool, in order; the keys are not listed as `keys`', () => {
  const a = staticKey(KEY, 'a');
  const b = staticKey('sk-proj-othersecretsecret5678', 'b');
  const p = openaiProvider({ credentials: [a, b] });
  expect(p.credentials.entries).toEqual([a, b]);
  expect(p.credentials.current(1)).toBe(b);
  expect(p.keys).toEqual([]);
  expect(p.credentialHeaders(a, 'centralized')).toEqual({ authorization: `Bearer ${KEY}` });
});

test('`keys` still makes static key credentials', () => {
  const p = anthropicProvider({ keys: [KEY] });
  expect(p.credentials.entries).toEqual([staticKey(KEY)]);
  expect(p.credentialHeaders(p.credentials.current(0) as ReturnType<typeof staticKey>, 'centralized')).toEqual({ 'x-api-key': KEY });
});

test('a source is kept as given', () => {
  const source: CredentialSource = { entries: [{ id: 'x', hint: 'h', secrets: ['s'.repeat(10)] }], current: () => staticKey(KEY) };
  expect(openaiProvider({ credentials: source }).credentials).toBe(source);
});

test('OpenAI account headers go with every pool credential, a source\'s too', () => {
  const p = openaiProvider({ credentials: [staticKey(KEY)], organization: 'org-1' });
  const refreshed = { type: 'key' as const, id: 'x', hint: 'h', secrets: ['tok-aaaaaaaaaaaaaaaa'], key: 'tok-aaaaaaaaaaaaaaaa' };
  expect(p.credentialHeaders(refreshed, 'centralized')).toEqual({ authorization: 'Bearer tok-aaaaaaaaaaaaaaaa', 'openai-organization': 'org-1' });
  expect(p.credentialHeaders(refreshed, 'centralized')).toBe(p.credentialHeaders(refreshed, 'centralized'));
});

test('a key adapter given a signing credential at runtime throws a message that names the type, not the secrets', () => {
  const p = openaiProvider({ keys: [KEY] });
  const signing = signingCredential({ accessKeyId: 'AKIAEXAMPLEACCESS7890', secretAccessKey: 'secret-secret-secret-1' });
  expect(() => p.credentialHeaders(signing, 'centralized')).toThrow('openaiProvider sends key credentials only; its credential source gave a "signing" credential.');
});

test.each([
  [{ keys: [KEY], credentials: [staticKey(KEY)] }, 'openaiProvider: option `credentials` cannot be given with `keys`: give one of them (a key is `staticKey(key)` in `credentials`).'],
  [{ credentials: 'sk-x' }, /option `credentials` must be an array of credentials/],
  [{ credentials: [] }, 'openaiProvider: option `credentials` must hold at least one credential (or set `byok: true`).'],
  [{ credentials: [{ id: 'a', key: KEY }] }, /option `credentials\[0\]` must have a non-empty string `id`, a string `hint` and `secrets`/],
  [{ credentials: [signingCredential({ accessKeyId: 'AKIAEXAMPLEACCESS7890', secretAccessKey: KEY })] }, 'openaiProvider: option `credentials[0].type` must be one of "key" for this provider.'],
  [{ credentials: [staticKey(KEY, 'same'), staticKey('sk-proj-othersecretsecret5678', 'same')] }, /option `credentials\[1\].id` is the same as entry 0's/],
  [{ credentials: [{ ...staticKey(KEY), key: `${KEY}\n` }] }, /option `credentials\[0\].key` must be a non-empty string without whitespace/],
  [{ credentials: { entries: [{ id: '', hint: 'h', secrets: [] }], current: () => staticKey(KEY) } }, /option `credentials.entries\[0\]` must have a non-empty string `id`/],
])('bad credentials are refused at creation without showing a secret (%#)', (options, message) => {
  let thrown: unknown;
  try {
    openaiProvider(options as never);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(Error);
  expect((thrown as Error).message).toMatch(message);
  expect((thrown as Error).message).not.toContain(KEY);
});

test('byok with an empty credentials list is allowed', () => {
  expect(openaiProvider({ credentials: [], byok: true }).credentials.entries).toEqual([]);
});
