// The one redaction rule: plain and JSON-escaped keys in text, bytes and record values; clean input untouched.
import { Readable } from 'node:stream';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { maskKey } from '../../lib/redaction/key-mask';
import { MIN_REDACTED_KEY_LENGTH, Redactor, TOO_DEEP } from '../../lib/redaction/redactor';
import { decodeBody } from '../../lib/http/content-encoding';
import { escaped } from '../helpers/redaction-scenarios';

const KEY = 'sk-proj-unit-aaaaaaaaaaaaaaaaaaaa1234';
const OTHER = 'sk-ant-unit-bbbbbbbbbbbbbbbbbbbbbb5678';
const BYOK = 'sk-client-unit-cccccccccccccccc9012';
const r = new Redactor([KEY, OTHER, 'sk-a']);
const hint = maskKey(KEY);

describe('text', () => {
  test.each([
    ['plain', `key ${KEY}.`, `key ${hint}.`],
    ['all \\u escapes', `key ${escaped(KEY)}.`, `key ${hint}.`],
    ['upper-case hex, only one character escaped', `key sk-pro\\u006A${KEY.slice(7)}`, `key ${hint}`],
    ['escaped inside an escaped JSON string (\\\\u)', `"{\\"m\\":\\"${escaped(KEY).replace(/\\/g, '\\\\')}\\"}"`, `"{\\"m\\":\\"${hint}\\"}"`],
    ['twice, and the other provider\'s key', `${KEY} ${escaped(OTHER)} ${KEY}`, `${hint} ${maskKey(OTHER)} ${hint}`],
  ])('%s', (_name, input, expected) => {
    expect(r.text(input)).toBe(expected);
  });

  test('text without a key is returned as it is, escapes and all', () => {
    const clean = 'line\\nnext \\u00e9 "\\\\u0073k" risk-assessment';
    expect(r.text(clean)).toBe(clean);
  });

  test(`keys shorter than ${MIN_REDACTED_KEY_LENGTH} characters are not searched for (they would rewrite ordinary text)`, () => {
    expect(r.text('a risk-assessment of sk-a')).toBe('a risk-assessment of sk-a');
  });

  test('a BYOK key is masked like a pool key, escaped or not', () => {
    expect(r.text(`${BYOK} ${escaped(BYOK)}`, BYOK)).toBe(`${maskKey(BYOK)} ${maskKey(BYOK)}`);
    expect(r.forRequest(BYOK).text(BYOK)).toBe(maskKey(BYOK));
    const unlike = 'azure-client-key-0123456789abcdef';
    expect(r.forRequest(unlike).bytes(Buffer.from(`k=${unlike}`)).toString()).toBe(`k=${maskKey(unlike)}`);
    expect(r.forRequest(BYOK).bytes(Buffer.from(`k=${BYOK}`)).toString()).toBe(`k=${maskKey(BYOK)}`);
  });

  test('a key that contains another is replaced whole', () => {
    const inner = 'sk-inner-key-0000000000';
    const outer = `${inner}-outer-1111`;
    expect(new Redactor([inner, outer]).text(`${outer} ${escaped(outer)}`)).toBe(`${maskKey(outer)} ${maskKey(outer)}`);
  });
});

describe('bytes', () => {
  test('a clean buffer is returned itself, with or without escapes or a key prefix', () => {
    for (const text of ['data: {"choices":[]}\n\n', 'data: {"c":"\\u00e9"}\n\n', 'data: {"c":"sk-proj-other"}\n\n']) {
      const buf = Buffer.from(text);
      expect(r.bytes(buf)).toBe(buf);
      expect(r.bytes(buf, BYOK)).toBe(buf);
    }
  });

  test('a buffer quoting a key, plainly or escaped, is rewritten', () => {
    expect(r.bytes(Buffer.from(`{"m":"${escaped(KEY)}"}`)).toString()).toBe(`{"m":"${hint}"}`);
    expect(r.bytes(Buffer.from(`{"m":"${BYOK}"}`), BYOK).toString()).toBe(`{"m":"${maskKey(BYOK)}"}`);
  });
});

describe('value', () => {
  test('every string and property name of a record, nested; clean parts keep their identity', () => {
    const date = new Date(0);
    const clean = { a: [1, 'x'] };
    const record = { createdAt: date, args: { [KEY]: [`t ${KEY}`, { deep: escaped(OTHER) }] }, clean, n: 5 };
    const out = r.value(record);
    expect(out).toEqual({ createdAt: date, args: { [hint]: [`t ${hint}`, { deep: maskKey(OTHER) }] }, clean, n: 5 });
    expect(out.clean).toBe(clean);
    expect(out.createdAt).toBe(date);
    expect(record.args[KEY][0]).toBe(`t ${KEY}`); // the original is not changed
    const untouched = { a: 'b', c: [1] };
    expect(r.value(untouched)).toBe(untouched);
  });

  test('errors are copied with a redacted message and stack', () => {
    const err = new TypeError(`bad ${KEY}`);
    const out = r.value(err);
    expect(out.message).toBe(`bad ${hint}`);
    expect(out.name).toBe('TypeError');
    expect(out.stack).not.toContain(KEY);
  });

  test('a value nested past the depth bound is kept when clean, replaced when it quotes a key', () => {
    const nest = (leaf: string) => {
      let v: unknown = leaf;
      for (let i = 0; i < 100; i++) v = { v };
      return v;
    };
    const clean = nest('fine');
    expect(r.value(clean)).toBe(clean);
    expect(JSON.stringify(r.value(nest(KEY)))).toContain(TOO_DEEP);
    expect(JSON.stringify(r.value(nest(KEY)))).not.toContain(KEY);
  });
});

describe('decodeBody', () => {
  const read = async (body: Readable) => {
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString();
  };
  test.each([
    ['gzip', gzipSync], ['x-gzip', gzipSync], ['deflate', deflateSync], ['br', brotliCompressSync],
  ])('%s is decoded and its headers dropped', async (encoding, encode) => {
    const { body, headers } = decodeBody(Readable.from([encode(`key ${KEY}`)]), { 'content-encoding': encoding, 'content-length': '9', 'content-type': 'application/json' });
    expect(await read(body)).toBe(`key ${KEY}`);
    expect(headers).toEqual({ 'content-type': 'application/json' });
  });

  test('identity or none: the same stream', () => {
    const stream = Readable.from(['x']);
    expect(decodeBody(stream, {}).body).toBe(stream);
    expect(decodeBody(stream, { 'content-encoding': 'identity' }).body).toBe(stream);
  });

  test('an encoding the bridge cannot read fails the read with 502 unsupported_encoding', async () => {
    const { body } = decodeBody(Readable.from([Buffer.from('zz')]), { 'content-encoding': 'zstd' });
    await expect(read(body)).rejects.toMatchObject({ status: 502, code: 'unsupported_encoding' });
  });
});

describe('secrets learned at runtime', () => {
  test('a learned secret is redacted from then on, until forgotten; forgetting one id keeps the others', () => {
    const redactor = new Redactor(['sk-pool-0000000000000001']);
    const scrub = redactor.forRequest();
    redactor.learn({ id: 'tools:a', hint: '[redacted tool credential]', secrets: ['tok-user-a-123456789'] });
    redactor.learn({ id: 'tools:b', hint: '[redacted tool credential]', secrets: ['tok-user-b-987654321'] });
    expect(scrub.text('a=tok-user-a-123456789 b=tok-user-b-987654321')).toBe('a=[redacted tool credential] b=[redacted tool credential]');
    redactor.forget('tools:a');
    redactor.forget('tools:unknown');
    expect(scrub.text('a=tok-user-a-123456789 b=tok-user-b-987654321')).toBe('a=tok-user-a-123456789 b=[redacted tool credential]');
    expect(scrub.bytes(Buffer.from('"tok-user-b-987654321"')).toString()).toBe('"[redacted tool credential]"');
    expect(scrub.text('sk-pool-0000000000000001')).not.toContain('sk-pool-0000000000000001');
  });
});
