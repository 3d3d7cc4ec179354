// The passthrough body redaction: whatever the chunking, the output is the redaction of the whole body.
import { Readable } from 'node:stream';
import { Redactor } from '../../lib/redaction/redactor';
import { redactingBody } from '../../lib/redaction/redacting-body';

const KEY = 'sk-proj-unit-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa4321';
const scrub = new Redactor([KEY]).forRequest();
const escaped = [...KEY].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

async function through(chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of Readable.from(chunks).pipe(redactingBody(scrub))) out.push(c as Buffer);
  return Buffer.concat(out);
}

/** Every way of cutting `body` in two, and in three at a few places. */
function cuts(body: Buffer): Buffer[][] {
  const out: Buffer[][] = [];
  for (let i = 1; i < body.length; i++) out.push([body.subarray(0, i), body.subarray(i)]);
  for (let i = 1; i < body.length; i += 7) out.push([body.subarray(0, i), body.subarray(i, i + 3), body.subarray(i + 3)]);
  return out;
}

test.each([
  ['plain JSON with the key, twice', `{"a":"café ${KEY} ✓","b":"${KEY}"}`],
  ['JSON with the key as \\u escapes', `{"a":"ü ${escaped} 😀"}`],
  ['an event stream', `data: {"t":"é"}\n\ndata: {"t":"${KEY}"}\r\n\r\nevent: x\ndata: ${escaped}\n\n`],
  ['lines of JSON', `{"a":1}\n{"k":"${KEY}"}\n{"k":"${escaped}"}\n`],
])('%s: redacted the same whatever the cuts', async (_name, text) => {
  const body = Buffer.from(text, 'utf8');
  const expected = scrub.bytes(body);
  expect(expected.toString('utf8')).not.toContain(KEY);
  for (const chunks of cuts(body)) expect((await through(chunks)).toString('utf8')).toBe(expected.toString('utf8'));
});

test('a body without a key comes out byte-identical, multibyte characters cut anywhere', async () => {
  const body = Buffer.from('{"text":"naïve — 😀 ✓ ünïcödé"}', 'utf8');
  for (const chunks of cuts(body)) expect((await through(chunks)).equals(body)).toBe(true);
});

test('an event stream goes on event by event: nothing after an event\'s end is kept back, a chunk without a key is passed itself', async () => {
  const stream = redactingBody(scrub);
  const out: Buffer[] = [];
  stream.on('data', (c: Buffer) => out.push(c));
  const first = Buffer.from('data: {"t":"one"}\n\n');
  stream.write(first);
  await new Promise((r) => setImmediate(r));
  expect(out).toHaveLength(1);
  expect(out[0]).toBe(first);
  stream.write(Buffer.from(`data: {"t":"${KEY.slice(0, 20)}`));
  await new Promise((r) => setImmediate(r));
  expect(Buffer.concat(out).toString()).not.toContain(KEY.slice(0, 10));
  stream.end(Buffer.from(`${KEY.slice(20)}"}\n\n`));
  await new Promise((r) => stream.on('end', r));
  expect(Buffer.concat(out).toString()).toBe(`data: {"t":"one"}\n\ndata: {"t":"${scrub.text(KEY)}"}\n\n`);
});
