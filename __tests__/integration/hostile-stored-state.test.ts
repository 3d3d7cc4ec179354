/** Stored state attacked by another actor: every way of naming Alice's response, item or conversation gets Bob a 404. */
import { gzipSync } from 'node:zlib';
import { openaiProvider } from '../../lib';
import { bridgeSuite } from '../helpers/gateway';

const KEY = 'sk-hostile-stored-key-00000001';
const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ baseURL: url, keys: [KEY] })] }));

let serial = 0;

/** A blocking Responses answer with one output item, and a conversation for every `POST /v1/conversations`. */
beforeEach(() => {
  suite.upstream.behaviour = (req, res) => {
    serial += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url.startsWith('/v1/conversations')) {
      res.end(JSON.stringify({ id: `conv_${serial}`, object: 'conversation', created_at: 1, metadata: {} }));
      return;
    }
    res.end(JSON.stringify({
      id: `resp_${serial}`, object: 'response', status: 'completed', model: 'gpt-5',
      output: [{ id: `msg_${serial}`, type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Alice\'s secret', annotations: [] }] }],
      usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3 },
    }));
  };
});

async function call(user: string, method: string, path: string, body?: unknown) {
  const before = suite.upstream.requests.length;
  const res = await fetch(`${suite.gw.url}/openai/v1${path}`, {
    method, headers: { 'x-user-token': `user-token-${user}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text === '' ? undefined : JSON.parse(text)) as any, sent: suite.upstream.requests.length - before };
}

/** Alice's response and the id of its output item. */
async function alicesItem(): Promise<string> {
  const { status, json } = await call('alice', 'POST', '/responses', { model: 'gpt-5', input: 'Tell me a secret.' });
  expect(status).toBe(200);
  return json.output[0].id as string;
}

describe('conversation items naming another actor\'s output item', () => {
  test('creating a conversation whose items reference Alice\'s item: Bob gets a 404, nothing upstream; Alice may', async () => {
    const item = await alicesItem();
    const items = [{ type: 'item_reference', id: item }];
    const bob = await call('bob', 'POST', '/conversations', { items });
    expect({ status: bob.status, sent: bob.sent, code: bob.json.error?.code }).toEqual({ status: 404, sent: 0, code: 'item_not_found' });
    const alice = await call('alice', 'POST', '/conversations', { items });
    expect({ status: alice.status, sent: alice.sent }).toEqual({ status: 200, sent: 1 });
  });

  test('adding Alice\'s item to Bob\'s own conversation (also without `type`, or with `type` repeated): 404, nothing upstream', async () => {
    const item = await alicesItem();
    const conv = await call('bob', 'POST', '/conversations', {});
    expect(conv.status).toBe(200);
    for (const items of [[{ type: 'item_reference', id: item }], [{ id: item }]]) {
      const bob = await call('bob', 'POST', `/conversations/${conv.json.id}/items`, { items });
      expect({ status: bob.status, sent: bob.sent }).toEqual({ status: 404, sent: 0 });
    }
    const raw = `{"items":[{"type":"message","type":"item_reference","id":${JSON.stringify(item)}}]}`;
    const before = suite.upstream.requests.length;
    const res = await fetch(`${suite.gw.url}/openai/v1/conversations/${conv.json.id}/items`, {
      method: 'POST', headers: { 'x-user-token': 'user-token-bob', 'content-type': 'application/json' }, body: raw,
    });
    expect({ status: res.status, sent: suite.upstream.requests.length - before }).toEqual({ status: 404, sent: 0 });
  });

  test('a body the bridge cannot read (encoded, or not JSON while naming an id) is refused, nothing upstream', async () => {
    const conv = await call('bob', 'POST', '/conversations', {});
    const send = async (body: Buffer | string, headers: Record<string, string>) => {
      const before = suite.upstream.requests.length;
      const res = await fetch(`${suite.gw.url}/openai/v1/conversations/${conv.json.id}/items`, {
        method: 'POST', headers: { 'x-user-token': 'user-token-bob', 'content-type': 'application/json', ...headers }, body,
      });
      return { status: res.status, sent: suite.upstream.requests.length - before };
    };
    const gz = gzipSync(JSON.stringify({ items: [{ type: 'item_reference', id: 'msg_1' }] }));
    expect(await send(gz, { 'content-encoding': 'gzip' })).toEqual({ status: 415, sent: 0 });
    expect(await send('{"items":[{"id":"msg_1"}]', {})).toEqual({ status: 400, sent: 0 });
  });

  test('messages without references are added as sent', async () => {
    const conv = await call('bob', 'POST', '/conversations', { items: [{ type: 'message', role: 'user', content: 'hi' }] });
    expect({ status: conv.status, sent: conv.sent }).toEqual({ status: 200, sent: 1 });
    const added = await call('bob', 'POST', `/conversations/${conv.json.id}/items`, { items: [{ role: 'user', content: 'again' }] });
    expect({ status: added.status, sent: added.sent }).toEqual({ status: 200, sent: 1 });
  });
});

describe('naming Alice\'s response on Bob\'s routes', () => {
  test('encoded, padded or re-cased ids, and paths below the id: 404 and nothing upstream', async () => {
    const { json } = await call('alice', 'POST', '/responses', { model: 'gpt-5', input: 'hi' });
    const id = json.id as string;
    const encoded = [...id].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
    for (const [method, path] of [
      ['GET', `/responses/${id}`], ['GET', `/responses/${encoded}`], ['GET', `/responses/${id}/`],
      ['GET', `/responses/${id}/input_items?after=${id}&include[]=message.output_text.logprobs`],
      ['POST', `/responses/${id}/cancel`], ['DELETE', `/responses/${id}`], ['GET', `/responses/${id.toUpperCase()}`],
      ['GET', `/responses/${id}%00`], ['GET', `/responses/${id};x=1`],
      ['HEAD', `/responses/${id}`], ['OPTIONS', `/responses/${id}`], ['PATCH', `/responses/${id}`], ['GET', `/RESPONSES/${id}`],
      ['GET', `/responses/${id}/input_items/`], ['GET', `/responses//${id}`], ['GET', `/responses/x/../${id}`],
    ] as const) {
      const bob = await call('bob', method, path);
      expect({ path, status: bob.status, sent: bob.sent }).toEqual({ path, status: 404, sent: 0 });
    }
  });

  test('Bob\'s own response listed after Alice\'s item: the list is Bob\'s response\'s, the cursor goes up as sent', async () => {
    const item = await alicesItem();
    const { json } = await call('bob', 'POST', '/responses', { model: 'gpt-5', input: 'hi' });
    const listed = await call('bob', 'GET', `/responses/${json.id}/input_items?after=${item}`);
    expect({ status: listed.status, sent: listed.sent }).toEqual({ status: 200, sent: 1 });
    expect(suite.upstream.requests.at(-1)!.url).toBe(`/v1/responses/${json.id}/input_items?after=${item}`);
  });
});

describe('how many ids one request may name', () => {
  test('a response naming more than 1,024 distinct items is refused at once (400), before any store read or upstream call', async () => {
    const input = Array.from({ length: 1025 }, (_, i) => ({ type: 'item_reference', id: `msg_unknown_${i}` }));
    const t = Date.now();
    const many = await call('bob', 'POST', '/responses', { model: 'gpt-5', input });
    expect({ status: many.status, sent: many.sent, code: many.json.error.code }).toEqual({ status: 400, sent: 0, code: 'invalid_request' });
    expect(many.json.error.message).toMatch(/1024/);
    expect(Date.now() - t).toBeLessThan(2000);
    // The same ids repeated are one reference each: 1,024 distinct ones are checked as usual (refused as unknown).
    const enough = await call('bob', 'POST', '/responses', { model: 'gpt-5', input: [...input.slice(0, 1024), ...input.slice(0, 1024)] });
    expect({ status: enough.status, sent: enough.sent }).toEqual({ status: 404, sent: 0 });
  });

  test('the same bound on a conversation\'s items', async () => {
    const items = Array.from({ length: 1025 }, (_, i) => ({ id: `msg_unknown_${i}` }));
    const res = await call('bob', 'POST', '/conversations', { items });
    expect({ status: res.status, sent: res.sent }).toEqual({ status: 400, sent: 0 });
  });
});
