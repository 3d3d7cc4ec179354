// A pool key split across two upstream writes never reaches the client, on bridged streams and on passthrough bodies.
import type http from 'node:http';
import { maskKey, openaiProvider } from '../../lib';
import { bridgeSuite, eventually } from '../helpers/gateway';
import { rawRequest } from '../helpers/raw-request';

const KEY = 'sk-proj-split-key-aaaaaaaaaaaaaaaaaaaaaaaa9876';
/** Enough of the key to matter: longer than what its hint shows. */
const KEY_PART = KEY.slice(0, 14);

const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ keys: [KEY], baseURL: url })] }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes `parts` as separate TCP writes, a pause between them, so the bridge reads them as separate chunks. */
function writeInParts(contentType: string, parts: () => string[]) {
  return async (_req: unknown, res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': contentType });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    const all = parts();
    for (let i = 0; i < all.length; i++) {
      if (i === all.length - 1) res.end(all[i]);
      else res.write(all[i]);
      await sleep(40);
    }
  };
}

const chatChunk = (content: string) => `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
const LEAK = chatChunk(`your key is ${KEY} (careful)`);

function chatRequest(): Promise<{ status: number; body: string }> {
  return rawRequest(suite.gw.url, 'POST', '/openai/v1/chat/completions', { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' },
    JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] }));
}

/** The contents of the stream's chunks, in order, as an SDK would read them. */
function contents(body: string): string[] {
  return body.split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)).choices[0].delta.content as string);
}

test('bridged stream: a key split in the middle across two writes is redacted', async () => {
  const at = LEAK.indexOf(KEY) + 20;
  suite.upstream.behaviour = writeInParts('text/event-stream', () => [chatChunk('Hi'), LEAK.slice(0, at), LEAK.slice(at), 'data: [DONE]\n\n']);
  const res = await chatRequest();
  expect(res.status).toBe(200);
  expect(res.body).not.toContain(KEY_PART);
  expect(contents(res.body)).toEqual(['Hi', `your key is ${maskKey(KEY)} (careful)`]);
});

test('bridged stream: a chunk that ends an earlier event and starts a key is never forwarded as it came', async () => {
  // The second write completes the first event and holds the start of the next one, cut inside the key; its length is
  // that of the event it completes, so a length test alone takes it for exactly that event's bytes.
  const first = chatChunk('Hello there');
  const cut = LEAK.indexOf(KEY) + 20;
  const split = cut;
  expect(split).toBeLessThan(first.length);
  const parts = [first.slice(0, split), first.slice(split) + LEAK.slice(0, cut), LEAK.slice(cut), 'data: [DONE]\n\n'];
  expect(Buffer.byteLength(parts[1])).toBe(Buffer.byteLength(first));
  suite.upstream.behaviour = writeInParts('text/event-stream', () => parts);
  const res = await chatRequest();
  expect(res.status).toBe(200);
  expect(res.body).not.toContain(KEY_PART);
  expect(contents(res.body)).toEqual(['Hello there', `your key is ${maskKey(KEY)} (careful)`]);
  expect(res.body.endsWith('data: [DONE]\n\n')).toBe(true);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  expect(JSON.stringify(suite.gw.recorder)).not.toContain(KEY_PART);
  expect(suite.gw.logs.lines.join('\n')).not.toContain(KEY_PART);
});

test('passthrough JSON body: a key (whole, or split across two writes) is redacted', async () => {
  const body = JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o', owned_by: `org with ${KEY}` }, { id: 'x', note: KEY }] });
  const at = body.indexOf(KEY) + 11;
  suite.upstream.behaviour = writeInParts('application/json', () => [body.slice(0, at), body.slice(at)]);
  const res = await rawRequest(suite.gw.url, 'GET', '/openai/v1/models', { 'x-user-token': 'user-token-alice' });
  expect(res.status).toBe(200);
  expect(res.body).not.toContain(KEY_PART);
  expect(JSON.parse(res.body)).toEqual({ object: 'list', data: [{ id: 'gpt-4o', owned_by: `org with ${maskKey(KEY)}` }, { id: 'x', note: maskKey(KEY) }] });
});

test('passthrough event stream: a key split across writes is redacted, earlier events are not held back', async () => {
  const at = LEAK.indexOf(KEY) + 9;
  const parts = [chatChunk('Hi'), LEAK.slice(0, at), LEAK.slice(at)];
  let firstSeenAt = 0;
  let firstSeenBeforeRest = false;
  // Streams the first event, then waits: the client must see it before the rest is written.
  suite.upstream.behaviour = async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(parts[0]);
    firstSeenBeforeRest = await eventually(() => expect(firstSeenAt).toBeGreaterThan(0), 2000).then(() => true, () => false);
    res.write(parts[1]);
    await sleep(40);
    res.end(parts[2]);
  };
  const res = await fetch(`${suite.gw.url}/openai/v1/models`, { headers: { 'x-user-token': 'user-token-alice' } });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString('utf8');
    if (!firstSeenAt && text.includes('\n\n')) firstSeenAt = Date.now();
  }
  expect(firstSeenBeforeRest).toBe(true);
  expect(text).not.toContain(KEY_PART);
  expect(contents(text)).toEqual(['Hi', `your key is ${maskKey(KEY)} (careful)`]);
});

test('passthrough: a body without a key is relayed byte-identical', async () => {
  const body = JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o', owned_by: 'system' }] });
  suite.upstream.behaviour = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const res = await rawRequest(suite.gw.url, 'GET', '/openai/v1/models', { 'x-user-token': 'user-token-alice' });
  expect(res.status).toBe(200);
  expect(res.body).toBe(body);
});

test.each(['identity', ' Identity ', ''])('passthrough: a body marked content-encoding %j is plain, and redacted', async (encoding) => {
  const body = JSON.stringify({ object: 'list', data: [{ id: 'x', note: KEY }] });
  suite.upstream.behaviour = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding });
    res.end(body);
  };
  const res = await rawRequest(suite.gw.url, 'GET', '/openai/v1/models', { 'x-user-token': 'user-token-alice' });
  expect(res.status).toBe(200);
  expect(res.body).not.toContain(KEY_PART);
  expect(JSON.parse(res.body).data[0].note).toBe(maskKey(KEY));
});
