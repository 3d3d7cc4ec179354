import { encodeActorValue, addActorHeaders } from '../../lib/http/upstream-headers';
import { openaiProvider, staticKey } from '../../lib';

test.each([
  ['alice@example.com', 'alice@example.com'],
  ['Jürgen', 'J%C3%BCrgen'],
  ['🚀', '%F0%9F%9A%80'],
  ['a\r\nb\tc\u0000', 'a%0D%0Ab%09c%00'],
  ['100%', '100%25'],
  ['\ud800x', '%EF%BF%BDx'],
])('actor value %j → %j, and back with decodeURIComponent', (value, encoded) => {
  expect(encodeActorValue(value)).toBe(encoded);
  if (!value.includes('\ud800')) expect(decodeURIComponent(encoded)).toBe(value);
});

test('metadata: strings encoded, numbers and booleans as text, objects and odd keys skipped', () => {
  const out: Record<string, string | string[]> = {};
  addActorHeaders(out, { id: 'ü', metadata: { team: 'Zürich', n: 3, ok: true, nested: { a: 1 }, 'bad key': 'x' } });
  expect(out).toEqual({
    'x-aibridge-actor-id': '%C3%BC', 'x-aibridge-actor-metadata-team': 'Z%C3%BCrich',
    'x-aibridge-actor-metadata-n': '3', 'x-aibridge-actor-metadata-ok': 'true',
  });
});

test('openaiProvider organization/project: sent with pool keys only; validated at creation', () => {
  const p = openaiProvider({ keys: ['sk-1'], organization: 'org-1', project: 'proj_1' });
  expect(p.credentialHeaders(staticKey('sk-1'), 'centralized')).toEqual({ authorization: 'Bearer sk-1', 'openai-organization': 'org-1', 'openai-project': 'proj_1' });
  expect(p.credentialHeaders(staticKey('sk-own'), 'byok')).toEqual({ authorization: 'Bearer sk-own' });
  expect(() => openaiProvider({ keys: ['sk-1'], organization: 'org 1\r\n' })).toThrow(/option `organization`/);
  expect(() => openaiProvider({ keys: ['sk-1'], project: '' })).toThrow(/option `project`/);
});
