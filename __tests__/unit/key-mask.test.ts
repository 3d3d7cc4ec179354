/** maskKey / keyFingerprint: logs and shared state can name a key without leaking it. */
import { keyFingerprint, maskKey } from '../../lib/redaction/key-mask';

/** A key of `length` distinct characters, so that any character shown can only come from one place in the key. */
function distinctKey(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return alphabet.slice(0, length);
}

/** The shown head and tail of a masked key (`****` shows nothing). */
function shownParts(masked: string): { head: string; tail: string } {
  if (masked === '****') return { head: '', tail: '' };
  const parts = /^(.*)\.\.\.(.*)$/s.exec(masked);
  if (!parts) throw new Error(`not a masked key: ${masked}`);
  return { head: parts[1], tail: parts[2] };
}

describe('maskKey', () => {
  it('shows the first and last four characters of a long key', () => {
    expect(maskKey('sk-abcdefghijklmnopqrstuvwxyz')).toBe('sk-a...wxyz');
    expect(maskKey('a'.repeat(16) + 'wxyz')).toBe('aaaa...wxyz');
  });

  it('shows only two and two of a medium key', () => {
    expect(maskKey('sk-123456789')).toBe('sk...89');
    expect(maskKey('abcdefghi')).toBe('ab...hi');
  });

  it('shows nothing of a short key', () => {
    for (const key of ['', 'a', 'sk-a', 'sk-abcde']) expect(maskKey(key)).toBe('****');
  });

  it('never reveals more than 8 characters, nor more than 4 of a key under 20, and only its prefix and suffix', () => {
    for (let length = 0; length <= 64; length++) {
      const key = distinctKey(length);
      const masked = maskKey(key);
      const { head, tail } = shownParts(masked);
      expect(key.startsWith(head)).toBe(true);
      expect(key.endsWith(tail)).toBe(true);
      const visible = head.length + tail.length;
      expect(visible).toBeLessThanOrEqual(length < 20 ? 4 : 8);
      expect(visible).toBeLessThan(length / 2 || 1);
      // No run of 5 key characters anywhere in the output (the shown parts are at most 4 long each).
      for (let i = 0; i + 5 <= length; i++) expect(masked).not.toContain(key.slice(i, i + 5));
    }
  });
});

describe('keyFingerprint', () => {
  const key = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';

  it('is 32 lowercase hex characters and stable', () => {
    expect(keyFingerprint(key)).toMatch(/^[0-9a-f]{32}$/);
    expect(keyFingerprint(key)).toBe(keyFingerprint(key));
  });

  it('differs between keys and does not contain the key', () => {
    expect(keyFingerprint('sk-a')).not.toBe(keyFingerprint('sk-b'));
    expect(keyFingerprint(key)).not.toContain(key.slice(8, 16));
  });

  it('is the sha256 prefix', () => {
    expect(keyFingerprint('abc')).toBe('ba7816bf8f01cfea414140de5dae2223');
  });
});
