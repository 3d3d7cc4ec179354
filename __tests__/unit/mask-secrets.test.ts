/** maskSecretsAndEmails (the guard example's masking and recordContent 'redacted'), and the guard and recordContent options. */
import { createBridge, maskSecretsAndEmails, openaiProvider, type BridgeOptions } from '../../lib';

test.each([
  ['write to bob.smith+ai@mail.example.co.uk today', 'write to [email] today'],
  ['key sk-proj-abcdefghijklmnopqrstuv and sk-ant-api03-abcdefghijklmnop', 'key [secret] and [secret]'],
  ['AWS AKIAIOSFODNN7EXAMPLE here', 'AWS [secret] here'],
  ['gh ghp_abcdefghijklmnopqrstuvwxyz012345 slack xoxb-1234567890-abcdef', 'gh [secret] slack [secret]'],
  ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end', 'jwt [secret] end'],
  ['sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.', 'sha [secret].'],
  ['-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- done', '[secret] done'],
])('%s', (input, masked) => {
  expect(maskSecretsAndEmails(input)).toBe(masked);
});

test('ordinary text, short ids and long words are left as they are', () => {
  const text = 'Refactor risk-assessment module; see issue 1234 and commit abc1234, internationalization_considerations_document.';
  expect(maskSecretsAndEmails(text)).toBe(text);
});

const base = (): BridgeOptions => ({ providers: [openaiProvider({ keys: ['sk-options-000000000000000001'] })], actor: () => ({ id: 'a' }) });

test.each([
  [{ guard: 'yes' }, /createBridge: option `guard`/],
  [{ responseGuard: 1 }, /createBridge: option `responseGuard`/],
  [{ guardTimeoutMs: 0 }, /guardTimeoutMs/],
  [{ recordContent: 'masked' }, /createBridge: option `recordContent` must be one of 'full', 'redacted', 'hashed', 'none'/],
  [{ recordContentSalt: 'short' }, /createBridge: option `recordContentSalt` must be a string of at least 16 characters/],
])('%j is refused, naming the option', (bad, message) => {
  expect(() => createBridge({ ...base(), ...(bad as object) })).toThrow(message);
});

test('valid guard and recordContent options are accepted', async () => {
  for (const recordContent of ['full', 'redacted', 'hashed', 'none', () => 'none' as const] as const) {
    const bridge = createBridge({ ...base(), guard: () => true, responseGuard: async () => undefined, guardTimeoutMs: 100, recordContent, recordContentSalt: '0123456789abcdef' });
    await bridge.close();
  }
});
