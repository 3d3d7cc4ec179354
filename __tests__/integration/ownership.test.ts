/** Ownership: a stored response or conversation created through the bridge is invisible to every other actor. */
import OpenAI from 'openai';
import { MemoryOwnershipStore, openaiProvider, type OwnershipStore } from '../../lib';
import { bridgeSuite, eventually, startGateway } from '../helpers/gateway';
import { responsesScript } from '../helpers/responses-script';
import { strictResponses } from '../helpers/strict-responses';
import { startFakeOpenAI } from '../helpers/fake-openai';

const KEY = 'sk-owner-key-00000000000001';
const suite = bridgeSuite((url) => ({
  providers: [openaiProvider({ baseURL: url, keys: [KEY] }), openaiProvider({ name: 'byok', baseURL: url, keys: [KEY], byok: true })],
}));
const sdk = (user: string, provider = 'openai') => new OpenAI({ apiKey: `user-token-${user}`, baseURL: `${suite.gw.url}/${provider}/v1`, maxRetries: 0 });
const as = (user: string) => ({ 'x-user-token': `user-token-${user}`, 'content-type': 'application/json' });

// One script for the file: its ids (`resp_step<n>`) never repeat from one test to the next.
const strict = strictResponses(responsesScript((_req, n) => ({ text: `Answer ${n}.` })));
function useStrictUpstream() {
  suite.upstream.behaviour = strict;
  return strict;
}

async function call(user: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${suite.gw.url}/openai/v1${path}`, { method, headers: as(user), body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any };
}

/** The 404 OpenAI answers for an id that does not exist, with nothing sent upstream. */
async function expectNotFound(pending: Promise<{ status: number; json: any }>, message: string) {
  const sentBefore = suite.upstream.requests.length;
  const { status, json } = await pending;
  expect(status).toBe(404);
  expect(json).toEqual({ error: { message, type: 'invalid_request_error', code: expect.toBeOneOf([null, expect.any(String)]) } });
  expect(suite.upstream.requests.length).toBe(sentBefore);
}

expect.extend({
  toBeOneOf(received: unknown, options: unknown[]) {
    const pass = options.some((o) => this.equals(received, o));
    return { pass, message: () => `expected ${String(received)} to be one of ${this.utils.printExpected(options)}` };
  },
});
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Expect { toBeOneOf(options: unknown[]): unknown }
  }
}

describe('responses', () => {
  test('Bob cannot continue Alice\'s response; Alice can; the refusal is recorded as bad_request', async () => {
    useStrictUpstream();
    const created = await sdk('alice').responses.create({ model: 'gpt-5', input: 'My secret is 42.' });
    const requests = suite.upstream.requests.length;
    const refused = await sdk('bob').responses.create({ model: 'gpt-5', previous_response_id: created.id, input: 'What is my secret?' }).catch((e) => e);
    expect(refused).toBeInstanceOf(OpenAI.NotFoundError);
    expect(refused.error).toEqual({ message: `Previous response with id '${created.id}' not found.`, type: 'invalid_request_error', code: 'previous_response_not_found' });
    expect(suite.upstream.requests.length).toBe(requests);
    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(2));
    const bobs = suite.gw.recorder.interceptions.find((i) => i.initiatorId === 'bob')!;
    expect(suite.gw.recorder.interceptionEnds.find((e) => e.id === bobs.id)).toMatchObject({ status: 'failed', httpStatus: 404, errorType: 'bad_request' });

    const next = await sdk('alice').responses.create({ model: 'gpt-5', previous_response_id: created.id, input: 'What is my secret?' });
    expect(next.output_text).toMatch(/^Answer/);
  });

  test('naming Alice\'s response twice (a parser may keep the first) is refused with a 400, nothing upstream', async () => {
    useStrictUpstream();
    const alices = await sdk('alice').responses.create({ model: 'gpt-5', input: 'My secret is 42.' });
    const bobs = await sdk('bob').responses.create({ model: 'gpt-5', input: 'Hi' });
    const sent = suite.upstream.requests.length;
    const res = await fetch(`${suite.gw.url}/openai/v1/responses`, {
      method: 'POST', headers: as('bob'), body: `{"model":"gpt-5","previous_response_id":"${alices.id}","input":"secret?","previous_response_id":"${bobs.id}"}`,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.message).toBe('`previous_response_id` appears more than once.');
    expect(suite.upstream.requests.length).toBe(sent);
  });

  test('a streamed response belongs to its creator: Bob can neither read, list, cancel nor delete it', async () => {
    useStrictUpstream();
    const final = await sdk('alice').responses.stream({ model: 'gpt-5', input: 'Hello' }).finalResponse();
    const id = final.id;
    await expectNotFound(call('bob', 'GET', `/responses/${id}`), `No response found with id '${id}'.`);
    await expectNotFound(call('bob', 'GET', `/responses/${id}/input_items`), `No response found with id '${id}'.`);
    await expectNotFound(call('bob', 'POST', `/responses/${id}/cancel`), `No response found with id '${id}'.`);
    await expectNotFound(call('bob', 'DELETE', `/responses/${id}`), `No response found with id '${id}'.`);
    // Percent-encoding names the same id upstream.
    await expectNotFound(call('bob', 'GET', `/responses/${encodeURIComponent(id).replace('_', '%5F')}`), `No response found with id '${id}'.`);
    expect((await sdk('alice').responses.retrieve(id)).id).toBe(id);
    const items = await call('alice', 'GET', `/responses/${id}/input_items`);
    expect(items).toEqual({ status: 200, json: { object: 'list', data: [] } });
  });

  test('an id the bridge never saw is refused by default, on bridged and passthrough routes', async () => {
    useStrictUpstream();
    await expectNotFound(call('alice', 'POST', '/responses', { model: 'gpt-5', previous_response_id: 'resp_elsewhere', input: 'hi' }), "Previous response with id 'resp_elsewhere' not found.");
    await expectNotFound(call('alice', 'GET', '/responses/resp_elsewhere'), "No response found with id 'resp_elsewhere'.");
  });

  test('BYOK requests are the upstream\'s business: not checked, not recorded', async () => {
    const strict = useStrictUpstream();
    const own = { 'x-user-token': 'user-token-bob', authorization: 'Bearer sk-bobs-own-key-000000000000' };
    const byok = new OpenAI({ apiKey: 'sk-bobs-own-key-000000000000', baseURL: `${suite.gw.url}/byok/v1`, maxRetries: 0, defaultHeaders: own });
    const alices = await sdk('alice').responses.create({ model: 'gpt-5', input: 'Hello' });
    // Bob with his own key reaches the upstream, which decides (here the fake knows the id).
    const continued = await byok.responses.create({ model: 'gpt-5', previous_response_id: alices.id, input: 'Hi' });
    expect(suite.upstream.requests.at(-1)!.headers.authorization).toBe('Bearer sk-bobs-own-key-000000000000');
    expect(strict.stored.has(continued.id)).toBe(true);
    // What Bob created with his own key was not recorded as his: a pool-key request naming it is refused.
    await expectNotFound(call('bob', 'POST', '/responses', { model: 'gpt-5', previous_response_id: continued.id, input: 'x' }), `Previous response with id '${continued.id}' not found.`);
  });
});

describe('conversations', () => {
  test('Bob cannot read, list, append to or delete Alice\'s conversation, nor name it in a response; Alice can', async () => {
    useStrictUpstream();
    const created = await call('alice', 'POST', '/conversations', { items: [] });
    expect(created.status).toBe(200);
    const id = created.json.id as string;
    const gone = `Conversation with id '${id}' not found.`;
    await expectNotFound(call('bob', 'GET', `/conversations/${id}`), gone);
    await expectNotFound(call('bob', 'GET', `/conversations/${id}/items`), gone);
    await expectNotFound(call('bob', 'POST', `/conversations/${id}/items`, { items: [{ type: 'message', role: 'user', content: 'x' }] }), gone);
    await expectNotFound(call('bob', 'DELETE', `/conversations/${id}/items/msg_1`), gone);
    await expectNotFound(call('bob', 'DELETE', `/conversations/${id}`), gone);
    await expectNotFound(call('bob', 'POST', '/responses', { model: 'gpt-5', conversation: id, input: 'x' }), gone);
    await expectNotFound(call('bob', 'POST', '/responses', { model: 'gpt-5', conversation: { id }, input: 'x' }), gone);

    expect((await call('alice', 'GET', `/conversations/${id}`)).status).toBe(200);
    expect((await call('alice', 'POST', `/conversations/${id}/items`, { items: [] })).status).toBe(200);
    const answer = await sdk('alice').responses.create({ model: 'gpt-5', conversation: { id }, input: 'x' });
    expect(answer.output_text).toMatch(/^Answer/);
    expect((await call('alice', 'DELETE', `/conversations/${id}`)).status).toBe(200);
  });

  test('a conversation the bridge never saw is refused by default', async () => {
    await expectNotFound(call('alice', 'GET', '/conversations/conv_elsewhere'), "Conversation with id 'conv_elsewhere' not found.");
  });
});

describe('options and store', () => {
  test('unknownIds: "allow" lets ids created elsewhere through; known ids stay their owner\'s', async () => {
    const upstream = await startFakeOpenAI(strictResponses(responsesScript((_req, n) => ({ text: `Answer ${n}.` }))));
    const gw = await startGateway({ providers: [openaiProvider({ baseURL: upstream.url, keys: [KEY] })], ownership: { unknownIds: 'allow' } });
    try {
      const get = (user: string, path: string) => fetch(`${gw.url}/openai/v1${path}`, { headers: as(user) });
      expect((await get('bob', '/conversations/conv_elsewhere')).status).toBe(200);
      const created = await new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/openai/v1`, maxRetries: 0 }).responses.create({ model: 'gpt-5', input: 'hi' });
      expect((await get('bob', `/responses/${created.id}`)).status).toBe(404);
      expect((await get('alice', `/responses/${created.id}`)).status).toBe(200);
    } finally {
      await gw.close();
      await upstream.close();
    }
  });

  test('the owner is written before the client sees the id (a slow store holds response.created, response.completed and the blocking answer)', async () => {
    const log: string[] = [];
    const memory = new MemoryOwnershipStore();
    const slow: OwnershipStore = {
      async setOwners(entries) {
        log.push(`write ${entries.map((e) => e.id).join(',')}`);
        await new Promise((r) => setTimeout(r, 100));
        await memory.setOwners(entries);
        log.push('written');
      },
      getOwner: (ref) => memory.getOwner(ref),
    };
    const upstream = await startFakeOpenAI(responsesScript((_req, n) => ({ text: `Answer ${n}.` })));
    const gw = await startGateway({ providers: [openaiProvider({ baseURL: upstream.url, keys: [KEY] })], ownership: { store: slow } });
    try {
      const client = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/openai/v1`, maxRetries: 0 });
      const stream = client.responses.stream({ model: 'gpt-5', input: 'hi' });
      stream.on('response.created', (e) => log.push(`client saw ${e.response.id}`));
      stream.on('response.completed', (e) => log.push(`client saw ${e.response.output[0].id}`));
      await stream.finalResponse();
      const blocking = await client.responses.create({ model: 'gpt-5', input: 'hi' });
      log.push(`client saw ${blocking.id}`);
      // A stream's items are written while its middle is relayed, and before its terminal event.
      expect(log.indexOf('client saw resp_step0')).toBeGreaterThan(log.indexOf('written'));
      expect(log.filter((l) => l !== 'client saw resp_step0')).toEqual([
        'write resp_step0', 'written', 'write msg_0', 'written', 'client saw msg_0', 'write resp_step1,msg_1', 'written', 'client saw resp_step1',
      ]);
    } finally {
      await gw.close();
      await upstream.close();
    }
  });

  test('a store that fails to write: the client gets a 503 and never the id (fail closed)', async () => {
    const failing: OwnershipStore = { setOwners: () => Promise.reject(new Error('disk on fire')), getOwner: () => undefined };
    const upstream = await startFakeOpenAI(responsesScript([{ text: 'Secret answer.' }]));
    const gw = await startGateway({ providers: [openaiProvider({ baseURL: upstream.url, keys: [KEY] })], ownership: { store: failing } });
    try {
      for (const stream of [false, true]) {
        const res = await fetch(`${gw.url}/openai/v1/responses`, { method: 'POST', headers: as('alice'), body: JSON.stringify({ model: 'gpt-5', input: 'hi', stream }) });
        expect(res.status).toBe(503);
        const text = await res.text();
        expect(text).not.toContain('resp_step');
        expect(JSON.parse(text).error).toMatchObject({ type: 'server_error', code: 'ownership_unavailable' });
      }
      // store: false creates nothing to own: nothing to write, so the answer goes through.
      const res = await fetch(`${gw.url}/openai/v1/responses`, { method: 'POST', headers: as('alice'), body: JSON.stringify({ model: 'gpt-5', input: 'hi', store: false }) });
      expect(res.status).toBe(200);
      expect(gw.logs.lines.some((l) => l.includes('disk on fire'))).toBe(true);
    } finally {
      await gw.close();
      await upstream.close();
    }
  });
});
