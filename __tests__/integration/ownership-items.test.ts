/** Ownership of stored output items: an `item_reference` to another actor's item is refused as if it did not exist. */
import OpenAI from 'openai';
import { MemoryOwnershipStore, openaiProvider, type OwnershipEntry, type OwnershipStore } from '../../lib';
import { bridgeSuite, eventually, startGateway } from '../helpers/gateway';
import { startFakeOpenAI } from '../helpers/fake-openai';
import { responsesScript } from '../helpers/responses-script';
import { strictResponses } from '../helpers/strict-responses';
import { TestInjector } from '../helpers/test-injector';

const KEY = 'sk-items-owner-key-000000001';
const ADD = { id: 'call_add', name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' };
const gone = (id: string) => `Item with id '${id}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`;

const store = new MemoryOwnershipStore();
const written: OwnershipEntry[][] = [];
const spy: OwnershipStore = {
  setOwners(entries) {
    written.push([...entries]);
    return store.setOwners(entries);
  },
  getOwner: (ref) => store.getOwner(ref),
};
const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ baseURL: url, keys: [KEY] })], ownership: { store: spy } }));
const sdk = (user: string) => new OpenAI({ apiKey: `user-token-${user}`, baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0 });

// One script for the file: its ids (`resp_step<n>`, `msg_<n>`) never repeat from one test to the next.
const strict = strictResponses(responsesScript((_req, n) => ({ text: `Alice's secret is ${n}.` })));

/** Sends `body` as `user`; the status, the parsed answer, and how many requests reached the upstream meanwhile. */
async function send(user: string, body: string) {
  const before = suite.upstream.requests.length;
  const res = await fetch(`${suite.gw.url}/openai/v1/responses`, { method: 'POST', headers: { 'x-user-token': `user-token-${user}`, 'content-type': 'application/json' }, body });
  return { status: res.status, json: (await res.json()) as any, sent: suite.upstream.requests.length - before };
}

const reference = (id: string) => JSON.stringify({ model: 'gpt-5', input: [{ type: 'item_reference', id }, { role: 'user', content: 'Repeat that.' }] });

async function expectRefused(user: string, body: string, id: string) {
  const { status, json, sent } = await send(user, body);
  expect({ status, sent }).toEqual({ status: 404, sent: 0 });
  expect(json).toEqual({ error: { message: gone(id), type: 'invalid_request_error', code: 'item_not_found' } });
}

beforeEach(() => {
  suite.upstream.behaviour = strict;
  written.length = 0;
});

describe('item_reference', () => {
  test('blocking: Bob cannot reference Alice\'s output item (404, nothing upstream, recorded bad_request); Alice can', async () => {
    const created = await sdk('alice').responses.create({ model: 'gpt-5', input: 'My secret.' });
    const itemId = created.output[0].id!;
    expect(itemId).toMatch(/^msg_/);
    await expectRefused('bob', reference(itemId), itemId);
    await eventually(() => expect(suite.gw.recorder.interceptionEnds.filter((e) => e.httpStatus === 404)).toHaveLength(1));
    const bobs = suite.gw.recorder.interceptions.find((i) => i.initiatorId === 'bob')!;
    expect(suite.gw.recorder.interceptionEnds.find((e) => e.id === bobs.id)).toMatchObject({ status: 'failed', errorType: 'bad_request' });

    const { status, sent } = await send('alice', reference(itemId));
    expect({ status, sent }).toEqual({ status: 200, sent: 1 });
    // One write per response: its id and its items together.
    expect(written[0]!.map((e) => `${e.kind}:${e.id}:${e.owner}`)).toEqual([`response:${created.id}:alice`, `item:${itemId}:alice`]);
  });

  test('streamed: the items are Alice\'s before the terminal event reaches her; Bob is refused, also without `type`', async () => {
    const stream = sdk('alice').responses.stream({ model: 'gpt-5', input: 'My secret.' });
    let ownedAtCompletion: string | undefined;
    stream.on('response.completed', (e) => (ownedAtCompletion = store.getOwner({ provider: 'openai', kind: 'item', id: e.response.output[0].id! })?.owner));
    const final = await stream.finalResponse();
    const itemId = final.output[0].id!;
    expect(ownedAtCompletion).toBe('alice');
    await expectRefused('bob', reference(itemId), itemId);
    await expectRefused('bob', JSON.stringify({ model: 'gpt-5', input: [{ id: itemId }] }), itemId);
    await expectRefused('bob', JSON.stringify({ model: 'gpt-5', input: [{ type: null, id: itemId }], stream: true }), itemId);
    expect((await send('alice', reference(itemId))).status).toBe(200);
  });

  test('a repeated key cannot hide a reference from the check (a parser may keep the first)', async () => {
    const alices = (await sdk('alice').responses.create({ model: 'gpt-5', input: 'My secret.' })).output[0].id!;
    const bobs = (await sdk('bob').responses.create({ model: 'gpt-5', input: 'Hi.' })).output[0].id!;
    await expectRefused('bob', `{"model":"gpt-5","input":[{"type":"item_reference","id":"${alices}","id":"${bobs}"}]}`, alices);
    await expectRefused('bob', `{"model":"gpt-5","input":[{"type":"item_reference","id":"${alices}"}],"input":"hi"}`, alices);
    await expectRefused('bob', `{"model":"gpt-5","input":[{"type":"item_reference","\\u0069d":"${alices}"}]}`, alices);
    await expectRefused('bob', `{"model":"gpt-5","input":[{"type":"item_reference","type":"message","role":"user","content":"x","id":"${alices}"}]}`, alices);
    expect((await send('bob', reference(bobs))).status).toBe(200);
  });

  test('an unknown item id is refused by default; store: false writes nothing and is still checked', async () => {
    await expectRefused('alice', reference('msg_elsewhere'), 'msg_elsewhere');
    const { status } = await send('alice', JSON.stringify({ model: 'gpt-5', input: 'hi', store: false }));
    expect(status).toBe(200);
    expect(written).toEqual([]);
    await expectRefused('alice', JSON.stringify({ model: 'gpt-5', input: [{ type: 'item_reference', id: 'msg_elsewhere' }], store: false }), 'msg_elsewhere');
  });

  test('input items that are not references (messages, outputs sent back) are not checked', async () => {
    const body = JSON.stringify({ model: 'gpt-5', input: [{ type: 'message', id: 'msg_from_elsewhere', role: 'assistant', content: [{ type: 'output_text', text: 'x' }] }, { role: 'user', content: 'hi', id: 'x' }] });
    expect((await send('bob', body)).status).toBe(200);
  });
});

describe('options and the tool loop', () => {
  test('unknownIds.responses: "allow" lets an unknown item through to the upstream; a known one stays its owner\'s', async () => {
    const upstream = await startFakeOpenAI(strictResponses(responsesScript((_req, n) => ({ text: `Answer ${n}.` }))));
    const gw = await startGateway({ providers: [openaiProvider({ baseURL: upstream.url, keys: [KEY] })], ownership: { unknownIds: { responses: 'allow' } } });
    try {
      const post = (user: string, body: string) => fetch(`${gw.url}/openai/v1/responses`, { method: 'POST', headers: { 'x-user-token': `user-token-${user}`, 'content-type': 'application/json' }, body });
      const unknown = await post('alice', reference('msg_elsewhere'));
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as any).error.param).toBe('input'); // the upstream's own answer
      expect(upstream.requests).toHaveLength(1);
      const created = await new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/openai/v1`, maxRetries: 0 }).responses.create({ model: 'gpt-5', input: 'hi' });
      expect((await post('bob', reference(created.output[0].id!))).status).toBe(404);
      expect(upstream.requests).toHaveLength(2);
    } finally {
      await gw.close();
      await upstream.close();
    }
  });

  test('a store that fails to write the items: the stream ends with an error event instead of its terminal one, the blocking answer is a 503', async () => {
    const memory = new MemoryOwnershipStore();
    const failing: OwnershipStore = {
      setOwners: (entries) => (entries.some((e) => e.kind === 'item') ? Promise.reject(new Error('items on fire')) : memory.setOwners(entries)),
      getOwner: (ref) => memory.getOwner(ref),
    };
    const upstream = await startFakeOpenAI(responsesScript((_req, n) => ({ text: `Answer ${n}.` })));
    const gw = await startGateway({ providers: [openaiProvider({ baseURL: upstream.url, keys: [KEY] })], ownership: { store: failing } });
    try {
      const post = (stream: boolean) => fetch(`${gw.url}/openai/v1/responses`, { method: 'POST', headers: { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-5', input: 'hi', stream }) });
      const streamed = await (await post(true)).text();
      expect(streamed).toContain('response.output_item.done');
      expect(streamed).not.toContain('response.completed');
      expect(streamed).toContain('"code":"ownership_unavailable"');
      const blocking = await post(false);
      expect(blocking.status).toBe(503);
      expect(await blocking.text()).not.toContain('msg_');
      await eventually(() => expect(gw.recorder.interceptionEnds.map((e) => e.status)).toEqual(['failed', 'failed']));
    } finally {
      await gw.close();
      await upstream.close();
    }
  });

  test.each([false, true])('tool loop (stream: %s): the items of every upstream call are the creator\'s', async (stream) => {
    const own = new MemoryOwnershipStore();
    const upstream = await startFakeOpenAI(strictResponses(responsesScript((_req, n) => (n === 0 ? { toolCalls: [ADD] } : { text: `Answer ${n}.` }))));
    const gw = await startGateway({ providers: [openaiProvider({ baseURL: upstream.url, keys: [KEY] })], ownership: { store: own }, tools: new TestInjector(3) });
    try {
      const client = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/openai/v1`, maxRetries: 0 });
      const final = stream
        ? await client.responses.stream({ model: 'gpt-5', input: 'What is 2+3?' }).finalResponse()
        : await client.responses.create({ model: 'gpt-5', input: 'What is 2+3?' });
      expect(final.output.map((i) => i.id)).toEqual(['msg_1']);
      for (const id of ['fc_0_0', 'msg_1']) expect(own.getOwner({ provider: 'openai', kind: 'item', id })?.owner).toBe('alice');
    } finally {
      await gw.close();
      await upstream.close();
    }
  });
});
