/** The error text an MCP status may show: no configured secret, no URL credentials or query, bounded. */
import { redactedErrorMessage, specSecrets } from '../../lib/tools/mcp-status';
import { resolveMcpOptions } from '../../lib/tools/mcp-options';

const [http, stdio] = resolveMcpOptions({
  servers: [
    { name: 'h', url: 'https://user-x:pass-y1@mcp.example/p?token=tok-123456&x=1#frag-secret', headers: { Authorization: 'Bearer hdr-secret-9', 'X-Short': 'ab' } },
    { name: 's', command: 'server', env: { API_TOKEN: 'env-secret-5' } },
  ],
}).servers;

test('header, env, URL credential, query and fragment values are replaced wherever they appear', () => {
  const text = redactedErrorMessage(new Error('got hdr-secret-9 for pass-y1 with tok-123456 and frag-secret, user user-x'), specSecrets(http));
  expect(text).toBe('got [redacted] for [redacted] with [redacted] and [redacted], user [redacted]');
  expect(redactedErrorMessage('env-secret-5 leaked', specSecrets(stdio))).toBe('[redacted] leaked');
});

test('values too short to be secrets are left alone (they would blank ordinary words)', () => {
  expect(redactedErrorMessage('ab cd', specSecrets(http))).toBe('ab cd');
});

test('any URL loses its credentials and query, control bytes become spaces, long text is cut', () => {
  expect(redactedErrorMessage('see https://a:b@h.example/x?k=v now', [])).toBe('see https://[redacted]@h.example/x?[redacted] now');
  expect(redactedErrorMessage('a\u0000\nb', [])).toBe('a b');
  const long = redactedErrorMessage('x'.repeat(5_000), []);
  expect(long).toHaveLength(300);
  expect(long.endsWith('…')).toBe(true);
});

test('a thrown non-error still gives a message', () => {
  expect(redactedErrorMessage({ nope: 1 }, [])).toBe('unknown error');
});
