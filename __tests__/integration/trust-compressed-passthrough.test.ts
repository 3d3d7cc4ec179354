// A passthrough success compressed although identity was asked for is decoded, redacted and relayed plain.
import http from 'node:http';
import zlib from 'node:zlib';
import { maskKey, openaiProvider } from '../../lib';
import { bridgeSuite, eventually } from '../helpers/gateway';
import { rawRequest } from '../helpers/raw-request';
import { attemptFiles, dumpFolders, removeTempDirs, tempDir } from '../helpers/dump-files';

const KEY = 'sk-proj-zipped-key-aaaaaaaaaaaaaaaaaaaaaaa4321';
/** Enough of the key to matter: longer than what its hint shows. */
const KEY_PART = KEY.slice(0, 14);
const HINT = maskKey(KEY);

const dumpDir = tempDir();
const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ keys: [KEY], baseURL: url, passthrough: { add: [{ methods: ['HEAD'], pattern: '/v1/files' }] } })], dump: { dir: dumpDir } }));
afterAll(removeTempDirs);

/** What the gateway's gzip decoders produced, counted where they hand it on (reading it would unpause them). */
const mockDecoded = { bytes: 0 };
jest.mock('node:zlib', () => {
  const real = jest.requireActual<typeof import('node:zlib')>('node:zlib');
  return {
    ...real,
    createGunzip(options?: import('node:zlib').ZlibOptions) {
      const gunzip = real.createGunzip(options);
      const push = gunzip.push.bind(gunzip);
      gunzip.push = (chunk: Buffer | null) => {
        if (chunk) mockDecoded.bytes += chunk.length;
        return push(chunk);
      };
      return gunzip;
    },
  };
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const models = () => rawRequest(suite.gw.url, 'GET', '/openai/v1/models', { 'x-user-token': 'user-token-alice', 'accept-encoding': 'gzip, deflate, br' });
const LIST = JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o', owned_by: `org with ${KEY}` }, { id: 'x', note: KEY }] });
const REDACTED = { object: 'list', data: [{ id: 'gpt-4o', owned_by: `org with ${HINT}` }, { id: 'x', note: HINT }] };

const ENCODERS: Array<[string, (b: string) => Buffer]> = [
  ['gzip', (b) => zlib.gzipSync(b)], ['x-gzip', (b) => zlib.gzipSync(b)], ['deflate', (b) => zlib.deflateSync(b)], ['br', (b) => zlib.brotliCompressSync(b)],
];

test.each(ENCODERS)('a %s JSON success quoting the key reaches the client decoded, with the hint only', async (encoding, encode) => {
  const encoded = encode(LIST);
  suite.upstream.behaviour = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding, 'content-length': encoded.length, 'x-request-id': 'req_1' });
    res.end(encoded);
  };
  const res = await models();
  expect(res.status).toBe(200);
  expect(res.headers['content-encoding']).toBeUndefined();
  // The upstream's length counted the encoded bytes: the gateway frames the decoded body itself.
  expect(res.headers['content-length']).toBeUndefined();
  expect(res.headers['x-request-id']).toBe('req_1');
  expect(res.body).not.toContain(KEY_PART);
  expect(JSON.parse(res.body)).toEqual(REDACTED);
});

test('a gzip event stream is decoded as it arrives: events relayed live, the key redacted', async () => {
  const event = (content: string) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] })}\n\n`;
  const leak = event(`your key is ${KEY}`);
  const cut = leak.indexOf(KEY) + 9;
  let firstSeen = false;
  let firstSeenBeforeRest = false;
  suite.upstream.behaviour = async (_req, res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
    const gzip = zlib.createGzip();
    gzip.pipe(res);
    const flush = () => new Promise<void>((resolve) => gzip.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
    gzip.write(event('Hi'));
    await flush();
    firstSeenBeforeRest = await eventually(() => expect(firstSeen).toBe(true), 2000).then(() => true, () => false);
    // The key cut between two flushed pieces, so between two decoded chunks.
    gzip.write(leak.slice(0, cut));
    await flush();
    await sleep(40);
    gzip.end(leak.slice(cut));
  };
  const res = await fetch(`${suite.gw.url}/openai/v1/models`, { headers: { 'x-user-token': 'user-token-alice' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-encoding')).toBeNull();
  const reader = res.body!.getReader();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString('utf8');
    if (text.includes('\n\n')) firstSeen = true;
  }
  expect(firstSeenBeforeRest).toBe(true);
  expect(text).not.toContain(KEY_PART);
  expect(text).toBe(event('Hi') + event(`your key is ${HINT}`));
});

test('the dump of a gzip success holds the decoded answer, redacted', async () => {
  const answer = JSON.stringify({ object: 'list', data: [{ id: 'dumped', note: KEY }] });
  suite.upstream.behaviour = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(zlib.gzipSync(answer));
  };
  const res = await models();
  expect(res.status).toBe(200);
  const redacted = answer.replace(KEY, HINT);
  expect(res.body).toBe(redacted);
  // Found by its answer: an earlier test's record may still arrive after this test began.
  const dumped = () => dumpFolders(dumpDir).flatMap((id) => attemptFiles(dumpDir, id)).filter((f) => f.text.includes('"id":"dumped"'));
  await eventually(() => expect(dumped().map((f) => f.text.endsWith(`\n\n${redacted}`))).toEqual([true]));
  const [file] = dumped();
  expect(file.text).toContain('\nHTTP/1.1 200\n');
  expect(file.text).not.toContain(KEY_PART);
  expect(file.text).not.toMatch(/content-encoding/i);
});

test('an encoding the gateway cannot read is refused with the provider-shaped 502 unsupported_encoding', async () => {
  suite.upstream.behaviour = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'zstd' });
    res.end(Buffer.from(LIST));
  };
  const res = await models();
  expect(res.status).toBe(502);
  expect(res.headers['content-encoding']).toBeUndefined();
  expect(res.body).not.toContain(KEY_PART);
  expect(JSON.parse(res.body).error).toMatchObject({ code: 'unsupported_encoding' });
  await eventually(() => expect(suite.gw.recorder.passthroughs.map((p) => p.httpStatus)).toContain(502));
});

test('HEAD keeps the encoding headers: there is no body to decode', async () => {
  suite.upstream.behaviour = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': '123' });
    res.end();
  };
  const res = await rawRequest(suite.gw.url, 'HEAD', '/openai/v1/files', { 'x-user-token': 'user-token-alice' });
  expect(res.status).toBe(200);
  expect(res.headers['content-encoding']).toBe('gzip');
  expect(res.headers['content-length']).toBe('123');
});

test('a decompression bomb is streamed with backpressure, never held whole', async () => {
  const DECODED = 64 * 1024 * 1024;
  const letters = Buffer.alloc(1024 * 1024, 0x61);
  const parts: Buffer[] = [];
  const gzip = zlib.createGzip({ level: 9 });
  gzip.on('data', (c: Buffer) => parts.push(c));
  const ended = new Promise((r) => gzip.once('end', r));
  for (let i = 0; i < DECODED / letters.length; i++) gzip.write(letters);
  gzip.end();
  await ended;
  const encoded = Buffer.concat(parts);
  expect(encoded.length).toBeLessThan(DECODED / 100);
  suite.upstream.behaviour = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' });
    res.end(encoded);
  };
  mockDecoded.bytes = 0;
  const received = await new Promise<{ paused: number; total: number }>((resolve, reject) => {
    const url = new URL(`${suite.gw.url}/openai/v1/models`);
    const req = http.get({ host: url.hostname, port: url.port, path: url.pathname, headers: { 'x-user-token': 'user-token-alice' } }, (res) => {
      let total = 0;
      let paused = 0;
      res.once('data', (c: Buffer) => {
        total += c.length;
        // A client that stops reading: the gateway must stop decoding, not pile the answer up.
        res.pause();
        setTimeout(() => {
          paused = mockDecoded.bytes;
          res.on('data', (d: Buffer) => (total += d.length));
          res.once('end', () => resolve({ paused, total }));
          res.resume();
        }, 1000);
      });
      res.once('error', reject);
    });
    req.once('error', reject);
  });
  // Held whole, all 64 MiB would be decoded at once; streamed, decoding waits for the client once the buffers between
  // (a few highWaterMarks, the dump's slice, the sockets') are full.
  expect(received.paused).toBeLessThan(16 * 1024 * 1024);
  expect(received.total).toBe(DECODED);
  expect(mockDecoded.bytes).toBe(DECODED);
}, 30_000);

test('bridged: an encoding the gateway cannot read is the provider-shaped 502 unsupported_encoding too', async () => {
  suite.upstream.behaviour = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'zstd' });
    res.end(Buffer.from(LIST));
  };
  const res = await rawRequest(suite.gw.url, 'POST', '/openai/v1/chat/completions', { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' },
    JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }));
  expect(res.status).toBe(502);
  expect(JSON.parse(res.body).error).toMatchObject({ code: 'unsupported_encoding' });
});
