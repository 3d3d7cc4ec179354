/** API dumps stay safe and small: no key, BYOK token or cookie in any file, per-file and total bounds, a broken dir harmless. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type http from 'node:http';
import { anthropicProvider, createBridge, openaiProvider } from '../../lib';
import { eventually, testActor } from '../helpers/gateway';
import { leakedSecrets } from '../helpers/keyed-upstream';
import { CHAT, DUMP_KEYS, attemptFiles, bigAnswer, chat, dirBytes, dumpFolders, dumpSuite, everyByte, tempDir } from '../helpers/dump-files';

const [K1, K2] = DUMP_KEYS;
const CLIENT_KEY = 'sk-client-own-key-dddddddd9999';
const CLIENT_COOKIE = 'client-cookie-secret-4242';
const UPSTREAM_COOKIE = 'upstream-cookie-secret-7777';
const SECRETS = [K1, K2, CLIENT_KEY, CLIENT_COOKIE, UPSTREAM_COOKIE];

const suite = dumpSuite();
const gateway = suite.gateway;

/** A hostile upstream: echoes the credential it got in a header and in a stream event split in the middle of the key. */
function echoingUpstream(req: { headers: http.IncomingHttpHeaders }, res: http.ServerResponse): void {
  const key = String(req.headers.authorization).replace(/^Bearer /, '');
  res.writeHead(200, { 'content-type': 'text/event-stream', 'x-echo': `got ${key}`, 'set-cookie': `session=${UPSTREAM_COOKIE}; Path=/` });
  const event = `data: {"id":"chatcmpl-echo","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"your key is ${key}"},"finish_reason":null}]}\n\n`;
  const cut = event.indexOf(key) + 7;
  res.write(event.slice(0, cut));
  setTimeout(() => {
    res.write(event.slice(cut));
    res.end('data: [DONE]\n\n');
  }, 30);
}

describe('API dumps: redaction', () => {
  test('no pool key, in headers, request body or an echo split across chunks, reaches a file; their hints do', async () => {
    suite.upstream.behaviour = echoingUpstream;
    const dir = tempDir();
    const gw = await gateway({ dir });
    // The client quotes the second pool key in its prompt: the dump of the body as sent shows its hint.
    const res = await chat(gw, { ...CHAT, stream: true, messages: [{ role: 'user', content: `is ${K2} valid?` }] }, { cookie: `sid=${CLIENT_COOKIE}` });
    expect(res.status).toBe(200);
    await res.text();
    const id = res.headers.get('x-aibridge-interception-id')!;
    await eventually(() => expect(attemptFiles(dir, id)[0]?.text.endsWith('data: [DONE]\n\n')).toBe(true));
    const bytes = everyByte(dir);
    expect(leakedSecrets(bytes, SECRETS)).toEqual([]);
    expect(bytes).toContain('authorization: Bearer sk-d...1111\n');
    expect(bytes).toContain('x-echo: got sk-d...1111\n');
    expect(bytes).toContain('your key is sk-d...1111');
    expect(bytes).toContain('is sk-d...2222 valid?');
    expect(bytes).toContain('\nset-cookie: sess...th=/\n'); // a cookie header is masked whole, like a credential
  });

  test('a large request body: a key across the slices it is written in is redacted; past maxFileBytes nothing more is written', async () => {
    const dir = tempDir();
    const gw = await gateway({ dir, maxFileBytes: 128 * 1024 });
    const head = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"';
    // The key starts just before 64 KiB into the body, where the body is cut in two slices.
    const words = 'lorem ipsum '.repeat(Math.ceil(65536 / 12)).slice(0, 65536 - 12 - head.length);
    const raw = `${head}${words}${K2} and then ${'dolor sit amet '.repeat(20_000)}"}]}`;
    const res = await fetch(`${gw.url}/openai/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' }, body: raw,
    });
    expect(res.status).toBe(200);
    await res.text();
    expect(suite.upstream.requests[0].body).toBe(raw);
    const id = res.headers.get('x-aibridge-interception-id')!;
    await eventually(() => expect(attemptFiles(dir, id)[0]?.text).toContain('[express-aibridge: dump truncated at 131072 bytes]'));
    const text = attemptFiles(dir, id)[0].text;
    expect(leakedSecrets(text, SECRETS)).toEqual([]);
    expect(text).toContain(`${words}sk-d...2222 and then dolor sit amet`);
    expect(text).not.toContain('\nHTTP/1.1 200'); // the request alone filled the file
  });

  test("a BYOK client's own token is masked like a pool key", async () => {
    suite.upstream.behaviour = echoingUpstream;
    const dir = tempDir();
    const gw = await gateway({ dir }, { byok: true });
    const res = await chat(gw, { ...CHAT, stream: true }, { authorization: `Bearer ${CLIENT_KEY}` });
    expect(res.status).toBe(200);
    await res.text();
    expect(suite.upstream.requests[0].headers.authorization).toBe(`Bearer ${CLIENT_KEY}`);
    const id = res.headers.get('x-aibridge-interception-id')!;
    await eventually(() => expect(attemptFiles(dir, id)[0]?.text.endsWith('data: [DONE]\n\n')).toBe(true));
    const bytes = everyByte(dir);
    expect(leakedSecrets(bytes, SECRETS)).toEqual([]);
    expect(bytes).toContain('authorization: Bearer sk-c...9999\n');
    expect(bytes).toContain('your key is sk-c...9999');
  });

  test("an Anthropic BYOK key sent as x-api-key is masked, in the form the client used", async () => {
    const dir = tempDir();
    const gw = await gateway({ dir }, {}, { providers: [anthropicProvider({ baseURL: suite.upstream.origin, keys: [K1], byok: true })] });
    const res = await fetch(`${gw.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-user-token': 'user-token-alice', 'x-api-key': CLIENT_KEY },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
    expect(suite.upstream.requests[0].headers['x-api-key']).toBe(CLIENT_KEY);
    const id = gw.recorder.interceptions[0].id;
    await eventually(() => expect(attemptFiles(dir, id)[0]?.text).toContain('\nHTTP/1.1 200\n'));
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
    const bytes = everyByte(dir);
    expect(bytes).toContain('\nx-api-key: sk-c...9999\n');
    expect(leakedSecrets(bytes, SECRETS)).toEqual([]);
  });
});

describe('API dumps: bounds', () => {
  test('maxFileBytes: the file stops at the bound with a marker; the client still gets the whole answer', async () => {
    const big = bigAnswer(suite.upstream, 6000, 'x');
    const dir = tempDir();
    const gw = await gateway({ dir, maxFileBytes: 1024 });
    const res = await chat(gw);
    expect(await res.text()).toBe(big);
    const id = res.headers.get('x-aibridge-interception-id')!;
    const marker = '\n[express-aibridge: dump truncated at 1024 bytes]\n';
    await eventually(() => expect(attemptFiles(dir, id)[0]?.text.endsWith(marker)).toBe(true));
    const file = path.join(dir, id, '001-attempt.http');
    expect(fs.statSync(file).size).toBe(1024 + Buffer.byteLength(marker));
    expect(attemptFiles(dir, id)[0].text).toContain('"content":"xxxx');
  });

  test('maxTotalBytes: the oldest folders (a previous run\'s first) are deleted, the newest kept, the total under the bound', async () => {
    const big = bigAnswer(suite.upstream, 3000, 'y');
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'previous-run'));
    fs.writeFileSync(path.join(dir, 'previous-run', '001-attempt.http'), 'z'.repeat(2000));
    const gw = await gateway({ dir, maxFileBytes: 1024, maxTotalBytes: 3000 });
    await new Promise((r) => setTimeout(r, 50)); // the previous run's folders are counted in the background
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await chat(gw);
      expect(await res.text()).toBe(big);
      ids.push(res.headers.get('x-aibridge-interception-id')!);
      const last = ids[ids.length - 1];
      await eventually(() => expect(attemptFiles(dir, last)[0]?.text).toContain('[express-aibridge: dump truncated'));
    }
    await eventually(() => expect(dumpFolders(dir)).toEqual([ids[2], ids[3]].sort()));
    expect(dirBytes(dir)).toBeLessThanOrEqual(3000);
  });
});

describe('API dumps: failures never reach the client', () => {
  test('an unwritable dir: blocking and streaming requests answer as usual; one throttled warning', async () => {
    const base = tempDir();
    fs.writeFileSync(path.join(base, 'a-file'), '');
    const dir = path.join(base, 'a-file', 'dumps'); // under a file: no folder can be made
    const gw = await gateway({ dir });
    for (let i = 0; i < 3; i++) {
      const blocking = await chat(gw);
      expect(blocking.status).toBe(200);
      expect(((await blocking.json()) as { choices: Array<{ message: { content: string } }> }).choices[0].message.content).toBeTruthy();
      const streaming = await chat(gw, { ...CHAT, stream: true });
      expect(streaming.status).toBe(200);
      expect(await streaming.text()).toContain('data: [DONE]');
    }
    await eventually(() => expect(gw.logs.lines.filter((l) => l.includes('API dump could not be written'))).toHaveLength(1));
    await eventually(() => expect(gw.recorder.interceptionEnds.filter((e) => e.status === 'completed')).toHaveLength(6));
  });
});

describe('API dumps: options', () => {
  const make = (dump: unknown) => () => createBridge({ providers: [openaiProvider({ keys: [K1] })], actor: testActor, dump: dump as never });
  test('a bad dump option throws at creation, naming it', () => {
    expect(make('dir')).toThrow(/`dump` must be an object/);
    expect(make({})).toThrow(/`dump\.dir` must be the path of a directory/);
    expect(make({ dir: tempDir(), maxFile: 2048 })).toThrow(/`dump\.maxFile` is not a known option; did you mean `dump\.maxFileBytes`/);
    expect(make({ dir: tempDir(), maxFileBytes: 100 })).toThrow(/`dump\.maxFileBytes` must be at least 1024/);
    expect(make({ dir: tempDir(), maxFileBytes: 4096, maxTotalBytes: 2048 })).toThrow(/`dump\.maxTotalBytes` must be at least dump\.maxFileBytes/);
    expect(make({ dir: tempDir(), maxTotalBytes: -1 })).toThrow(/`dump\.maxTotalBytes` must be a positive integer/);
    expect(make({ dir: tempDir(), maxFileBytes: 2048, maxTotalBytes: 4096 })).not.toThrow();
  });
});
