/** Credentials as objects: their hints and secrets, the redaction rule built from them and taught new ones at runtime. */
import { signingCredential, staticCredentials, staticKey } from '../../lib/keypool/credentials';
import { keyFingerprint, maskKey } from '../../lib/redaction/key-mask';
import { Redactor } from '../../lib/redaction/redactor';

const KEY = 'sk-proj-static-key-aaaaaaaaaaaaaaaaaaaa1234';
const ACCESS = 'AKIAEXAMPLEACCESS7890';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SESSION = 'FwoGZXIvYXdzEXAMPLEsessiontoken0123456789';

test('a static key: hinted by its mask, redacted itself, named by its fingerprint unless given an id', () => {
  expect(staticKey(KEY)).toEqual({ type: 'key', id: keyFingerprint(KEY), hint: maskKey(KEY), secrets: [KEY], key: KEY });
  expect(staticKey(KEY, 'main').id).toBe('main');
});

test('a signing credential: hinted by the access key id, all three strings to redact', () => {
  const c = signingCredential({ accessKeyId: ACCESS, secretAccessKey: SECRET, sessionToken: SESSION });
  expect(c).toMatchObject({ type: 'signing', id: ACCESS, hint: maskKey(ACCESS), secrets: [ACCESS, SECRET, SESSION] });
  expect(signingCredential({ accessKeyId: ACCESS, secretAccessKey: SECRET }).secrets).toEqual([ACCESS, SECRET]);
});

test('a static source answers synchronously with the same objects, entry by entry', () => {
  const a = staticKey(KEY);
  const source = staticCredentials([a]);
  expect(source.entries).toEqual([a]);
  expect(source.current(0)).toBe(a);
});

describe('the redaction rule built from credentials', () => {
  const signing = signingCredential({ accessKeyId: ACCESS, secretAccessKey: SECRET, sessionToken: SESSION });
  const r = new Redactor([staticKey(KEY), signing]);
  const hint = maskKey(ACCESS);

  test('every secret of a multi-secret credential becomes the credential hint, in text, bytes and JSON escapes', () => {
    expect(r.text(`${ACCESS}:${SECRET}:${SESSION}`)).toBe(`${hint}:${hint}:${hint}`);
    expect(r.bytes(Buffer.from(JSON.stringify({ s: SECRET }))).toString()).toBe(JSON.stringify({ s: hint }));
    expect(r.text(JSON.stringify(SECRET).replace(/\//g, '\\/'))).toBe(`"${hint}"`);
    expect(r.text(KEY)).toBe(maskKey(KEY));
  });

  test('plain strings are still keys hinted by their mask', () => {
    expect(new Redactor([KEY]).text(`x ${KEY} y`)).toBe(`x ${maskKey(KEY)} y`);
  });
});

describe('Redactor.learn', () => {
  const TOKEN_1 = 'tid=one;exp=1;sig=0123456789abcdef0123';
  const TOKEN_2 = 'tid=two;exp=2;sig=fedcba9876543210fedc';

  test('a token learned at runtime is redacted by scrubs made before it was learned, pool and BYOK alike', () => {
    const r = new Redactor([KEY]);
    const pool = r.forRequest();
    const byok = r.forRequest('sk-client-own-bbbbbbbbbbbbbbbbbbbb');
    expect(pool.bytes(Buffer.from(TOKEN_1)).toString()).toBe(TOKEN_1);
    r.learn({ id: 'copilot', hint: 'gho_...abcd', secrets: [TOKEN_1] });
    expect(pool.bytes(Buffer.from(`a ${TOKEN_1} b`)).toString()).toBe('a gho_...abcd b');
    expect(byok.bytes(Buffer.from(`${TOKEN_1} sk-client-own-bbbbbbbbbbbbbbbbbbbb`)).toString()).toBe(`gho_...abcd ${maskKey('sk-client-own-bbbbbbbbbbbbbbbbbbbb')}`);
    expect(pool.value({ m: TOKEN_1 })).toEqual({ m: 'gho_...abcd' });
    expect(pool.text(KEY)).toBe(maskKey(KEY));
  });

  test('a BYOK key found through the pool keys\' shared start is still found once a learned token ends that sharing', () => {
    const own = 'sk-client-own-cccccccccccccccccccc';
    const r = new Redactor(['sk-aaaaaaaaaaaaaaaaaaaaaaaa', 'sk-bbbbbbbbbbbbbbbbbbbbbbbb']);
    const byok = r.forRequest(own);
    expect(byok.bytes(Buffer.from(own)).toString()).toBe(maskKey(own));
    r.learn({ id: 'copilot', hint: 'gho_...abcd', secrets: [TOKEN_1] });
    expect(byok.bytes(Buffer.from(`x ${own} y`)).toString()).toBe(`x ${maskKey(own)} y`);
  });

  test('older tokens of an id stay redacted for a few refreshes, then are forgotten', () => {
    const r = new Redactor([]);
    const tokens = Array.from({ length: 6 }, (_, i) => `tok-${i}-${'x'.repeat(20)}`);
    for (const t of tokens) r.learn({ id: 'e', hint: 'hint', secrets: [t] });
    expect(tokens.map((t) => r.text(t))).toEqual([tokens[0], tokens[1], 'hint', 'hint', 'hint', 'hint']);
    r.learn({ id: 'other', hint: 'h2', secrets: [TOKEN_2] });
    expect(r.text(tokens[5])).toBe('hint');
  });

  test('secrets too short to search for are not learned', () => {
    const r = new Redactor([]);
    r.learn({ id: 'e', hint: 'h', secrets: ['short'] });
    expect(r.text('a short text')).toBe('a short text');
  });
});
