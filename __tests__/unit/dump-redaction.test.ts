// The dump's streaming redaction: a key split anywhere across chunks, plainly or JSON-escaped, never reaches the file.
import { RedactingCutter } from '../../lib/observability/dumps/dump-tap';
import { Redactor } from '../../lib/redaction/redactor';

const KEY = 'sk-dump-unit-key-aaaaaaaa1234';
const HINT = 'sk-d...1234';
const scrub = new Redactor([KEY]).forRequest();

function through(chunks: Buffer[]): string {
  const out: Buffer[] = [];
  const cutter = new RedactingCutter(scrub, (b) => out.push(b));
  for (const c of chunks) cutter.push(c);
  cutter.end();
  return Buffer.concat(out).toString('utf8');
}

describe('RedactingCutter', () => {
  const texts = {
    sse: `data: {"choices":[{"delta":{"content":"the key ${KEY} leaked"}}]}\n\n`,
    json: `{"error":{"message":"bad key ${KEY}","type":"x"}}`,
    escaped: `{"message":"key ${KEY.slice(0, 2)}\\u002d${KEY.slice(3)} escaped"}`,
  };
  for (const [name, text] of Object.entries(texts)) {
    test(`${name}: every two-chunk split is redacted, and everything else comes through in order`, () => {
      const bytes = Buffer.from(text);
      const whole = scrub.bytes(bytes).toString('utf8');
      expect(whole).toContain(HINT);
      for (let at = 0; at <= bytes.length; at++) {
        expect(through([bytes.subarray(0, at), bytes.subarray(at)])).toBe(whole);
      }
    });
  }

  test('a clean stream comes through byte for byte, one byte at a time', () => {
    const text = 'data: {"a":"ünïcode 👋"}\n\ndata: [DONE]\n\n';
    const bytes = Buffer.from(text);
    expect(through([...bytes].map((b) => Buffer.from([b])))).toBe(text);
  });

  test('a long run without a place to cut is written once it passes the hold bound (memory stays bounded)', () => {
    const out: Buffer[] = [];
    const cutter = new RedactingCutter(scrub, (b) => out.push(b));
    for (let i = 0; i < 80; i++) cutter.push(Buffer.alloc(1024, 0x61));
    expect(out.length).toBeGreaterThan(0);
    cutter.end();
    expect(Buffer.concat(out).length).toBe(80 * 1024);
  });
});
