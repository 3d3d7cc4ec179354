/** Ownership pieces without sockets: the bounded memory store, option checks, the stream head, the allowlist's ids. */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { createBridge, MemoryOwnershipStore, openaiProvider, RedisOwnershipStore } from '../../lib';
import { readStreamHead } from '../../lib/ownership/stream-head';
import { passthroughRule } from '../../lib/providers/passthrough-rule';
import { OPENAI_PASSTHROUGH } from '../../lib/providers/openai';
import { responsesStoredState } from '../../lib/apis/openai-responses/stored-state';

const ref = (id: string) => ({ provider: 'openai', kind: 'response' as const, id });

describe('MemoryOwnershipStore', () => {
  test('keeps at most maxEntries, forgetting the oldest first; a rewrite counts as recent', () => {
    const store = new MemoryOwnershipStore({ maxEntries: 3 });
    store.setOwners(['a', 'b', 'c'].map((id) => ({ ...ref(id), owner: 'alice' })));
    store.setOwners([{ ...ref('a'), owner: 'alice', continueFrom: 'c' }]);
    store.setOwners([{ ...ref('d'), owner: 'bob' }]);
    expect(store.size).toBe(3);
    expect(store.getOwner(ref('b'))).toBeUndefined();
    expect(store.getOwner(ref('a'))).toEqual({ owner: 'alice', continueFrom: 'c' });
    expect(store.getOwner(ref('d'))).toEqual({ owner: 'bob' });
    expect(store.getOwner({ ...ref('d'), kind: 'conversation' })).toBeUndefined();
    expect(store.getOwner({ ...ref('d'), provider: 'other' })).toBeUndefined();
  });

  test('one actor writing past the cap forgets its own oldest ids, never another actor\'s', () => {
    const store = new MemoryOwnershipStore({ maxEntries: 10 });
    store.setOwners(['a1', 'a2'].map((id) => ({ ...ref(id), owner: 'alice' })));
    store.setOwners([{ ...ref('c1'), owner: 'carol' }]);
    for (let i = 0; i < 1000; i++) store.setOwners([{ ...ref(`b${i}`), owner: 'bob' }, { ...ref(`b${i}x`), owner: 'bob' }]);
    expect(store.size).toBe(10);
    expect(store.getOwner(ref('a1'))).toEqual({ owner: 'alice' });
    expect(store.getOwner(ref('a2'))).toEqual({ owner: 'alice' });
    expect(store.getOwner(ref('c1'))).toEqual({ owner: 'carol' });
    expect(store.getOwner(ref('b999x'))).toEqual({ owner: 'bob' });
    expect(store.getOwner(ref('b0'))).toBeUndefined();
    // An id written again under another owner moves to that owner's count.
    store.setOwners([{ ...ref('b999x'), owner: 'alice' }]);
    store.setOwners([{ ...ref('a3'), owner: 'alice' }]);
    expect(store.size).toBe(10);
    expect(store.getOwner(ref('a1'))).toEqual({ owner: 'alice' });
  });

  test('property: an actor holding no more than its share keeps every id, whatever the others write', () => {
    fc.assert(fc.property(
      fc.integer({ min: 4, max: 40 }),
      fc.array(fc.tuple(fc.constantFrom('quiet', 'b', 'c', 'd'), fc.integer({ min: 1, max: 5 })), { maxLength: 200 }),
      (max, writes) => {
        const store = new MemoryOwnershipStore({ maxEntries: max });
        const share = Math.floor(max / 4);
        const quiet: string[] = [];
        let total = 0;
        writes.forEach(([owner, n], w) => {
          if (owner === 'quiet' && quiet.length + n > share) return;
          const ids = Array.from({ length: n }, (_, i) => `${owner}-${w}-${i}`);
          if (owner === 'quiet') quiet.push(...ids);
          total += n;
          store.setOwners(ids.map((id) => ({ ...ref(id), owner })));
        });
        expect(store.size).toBe(Math.min(total, max));
        for (const id of quiet) expect(store.getOwner(ref(id))).toEqual({ owner: 'quiet' });
      },
    ));
  });

  test('options are checked like createBridge\'s', () => {
    expect(() => new MemoryOwnershipStore({ max: 3 } as never)).toThrow(/`max` is not a known option/);
    expect(() => new MemoryOwnershipStore({ maxEntries: 0 })).toThrow(/`maxEntries` must be a positive integer/);
    expect(() => new RedisOwnershipStore({} as never)).toThrow(/`url` or `client`: give exactly one/);
    expect(() => new RedisOwnershipStore({ url: 'redis://x', ttl: 5 } as never)).toThrow(/`ttl` is not a known option/);
  });
});

describe('createBridge({ ownership })', () => {
  const base = { providers: [openaiProvider({ keys: ['sk-x-000000000000000000'] })], actor: () => ({ id: 'a' }) };
  test.each([
    [{ unknownIds: 'maybe' }, /`ownership.unknownIds` must be 'refuse' or 'allow'/],
    [{ unknownIds: { response: 'allow' } }, /`ownership.unknownIds.response` is not a known option/],
    [{ store: {} }, /`ownership.store` must implement setOwners and getOwner/],
    [{ stor: 1 }, /`ownership.stor` is not a known option/],
    ['memory', /`ownership` must be an object/],
  ])('%j is refused with the option named', (ownership, message) => {
    expect(() => createBridge({ ...base, ownership: ownership as never })).toThrow(message);
  });
});

describe('readStreamHead', () => {
  const event = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const created = event('response.created', { response: { id: 'resp_1' } });
  const delta = event('response.output_text.delta', { delta: 'hi' });
  const drain = async (body: Readable) => {
    const parts: Buffer[] = [];
    for await (const c of body) parts.push(c as Buffer);
    return Buffer.concat(parts).toString('utf8');
  };

  test('split mid-event: the id is found, and every byte is given back to the reader in order', async () => {
    const text = ': comment\n\n' + created + delta;
    const cuts = [3, 20, 41, text.length - 5];
    const chunks = cuts.map((cut, i) => Buffer.from(text.slice(i === 0 ? 0 : cuts[i - 1], cut))).concat(Buffer.from(text.slice(cuts.at(-1))));
    const body = new Readable({ read() {} });
    const head = readStreamHead(body, responsesStoredState.idInEvent, 1 << 20);
    for (const c of chunks) body.push(c);
    body.push(null);
    const { id, body: rest } = await head;
    expect(id).toBe('resp_1');
    expect(await drain(rest)).toBe(text);
  });

  test('a stream without an id within the bound is given back whole; one that ends early too', async () => {
    const long = Readable.from([Buffer.from(delta), Buffer.from(delta), Buffer.from(created)], { objectMode: false });
    const bounded = await readStreamHead(long, responsesStoredState.idInEvent, delta.length);
    expect(bounded.id).toBeUndefined();
    expect(await drain(bounded.body)).toBe(delta + delta + created);
    const ended = await readStreamHead(Readable.from([Buffer.from(delta)]), responsesStoredState.idInEvent, 1 << 20);
    expect(ended.id).toBeUndefined();
    expect(await drain(ended.body)).toBe(delta);
  });
});

describe('stored-state rules', () => {
  test('passthrough routes name their first parameter, decoded as the upstream decodes it', () => {
    const rule = passthroughRule(['GET'], '/v1/conversations/:id/*', { owns: 'conversation' });
    expect(rule.owned!('/v1/conversations/conv_1/items/msg_2')).toEqual({ kind: 'conversation', id: 'conv_1' });
    expect(rule.owned!('/v1/conversations/conv%5F1')).toEqual({ kind: 'conversation', id: 'conv_1' });
    expect(rule.owned!('/v1/conversations/conv_1/')).toEqual({ kind: 'conversation', id: 'conv_1' });
    expect(passthroughRule(['GET'], '/v1/models/:id').owned).toBeUndefined();
  });

  test('Responses: named ids, the previous response rewritten byte for byte, the id of an answer', () => {
    const named = (text: string) => responsesStoredState.named(JSON.parse(text), Buffer.from(text));
    expect(named('{"previous_response_id":"resp_1","conversation":{"id":"conv_1"}}')).toEqual([{ kind: 'response', id: 'resp_1' }, { kind: 'conversation', id: 'conv_1' }]);
    expect(named('{"conversation":"conv_2","previous_response_id":null}')).toEqual([{ kind: 'conversation', id: 'conv_2' }]);
    // Another parser may keep the first of two: the check could not know which id the upstream uses.
    expect(named('{"previous_response_id":"resp_alice", "input":"x", "previous_response_id":"resp_bob"}')).toBe('`previous_response_id` appears more than once.');
    expect(named('{"conversation":{"id":"conv_a"},"previous\\u005fresponse_id":"r","conversation":"conv_b"}')).toBe('`conversation` appears more than once.');
    expect(named('{"previous_response_id":"resp_alice","previous\\u005fresponse_id":"resp_bob"}')).toBe('`previous_response_id` appears more than once.');
    expect(named('{"previous_response_id":"resp_alice","previous_response_id":null}')).toBe('`previous_response_id` appears more than once.');
    expect(named('{"conversation":{"id":"conv_alice","id":"conv_bob"}}')).toBe('`conversation.id` appears more than once.');
    const raw = Buffer.from('{ "input" : "héllo",\n "previous_response_id" : "resp_1" , "x":1}');
    expect(responsesStoredState.continueFrom(raw, 'resp_9').toString()).toBe('{ "input" : "héllo",\n "previous_response_id" : "resp_9" , "x":1}');
    expect(responsesStoredState.createdInAnswer(Buffer.from('{"output":[{"id":"msg_1"}],"id":"resp_\\u0031"}'))).toEqual({ id: 'resp_1', items: ['msg_1'] });
    expect(responsesStoredState.createdInAnswer(Buffer.from('not json'))).toBeUndefined();
  });

  test('output items: every id an answer creates; every reference a request makes, whatever a parser keeps', () => {
    const created = (s: string) => responsesStoredState.createdInAnswer(Buffer.from(s));
    expect(created('{"id":"resp_1","output":[{"type":"reasoning","id":"rs_1"}, {"content":[{"id":"inner"}],"id":"msg_\\u0031","id":"msg_2"},"x",{"type":"message"}],"usage":{}}'))
      .toEqual({ id: 'resp_1', items: ['rs_1', 'msg_2'] });
    expect(created('{"id":"resp_2","output":null}')).toEqual({ id: 'resp_2', items: [] });
    const items = (s: string) => (responsesStoredState.named(JSON.parse(s), Buffer.from(s)) as Array<{ kind: string; id: string }>).filter((n) => n.kind === 'item').map((n) => n.id);
    expect(items('{"input":[{"type":"item_reference","id":"msg_a"},{"id":"msg_b"},{"type":null,"id":"msg_c"},{"type":"item_reference","id":"msg_a"}]}')).toEqual(['msg_a', 'msg_b', 'msg_c']);
    // Messages and items sent back whole are not references; a string input names none.
    expect(items('{"input":[{"role":"user","content":"hi","id":"m"},{"type":"message","id":"msg_x","role":"assistant","content":[]}]}')).toEqual([]);
    expect(items('{"input":"{\\"id\\":\\"msg_a\\"}"}')).toEqual([]);
    // Repeats and escapes: every one counts.
    expect(items('{"input":[{"type":"item_reference","id":"msg_a","id":"msg_b"}],"input":[{"id":"msg_c"}]}')).toEqual(['msg_a', 'msg_b', 'msg_c']);
    expect(items('{"input":[{"t\\u0079pe":"message","type":"item_reference","role":"user","\\u0069d":"msg_d"}]}')).toEqual(['msg_d']);
  });
});

describe('conversation items', () => {
  const rule = (pattern: string) => OPENAI_PASSTHROUGH.find((r) => r.pattern === pattern)!;
  const escape = (key: string) => key.replace(/[a-z]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);

  test('property: an element any parser (first or last of a repeated key) reads as a reference to the id is found', () => {
    const field = fc.oneof(
      fc.constantFrom<[string, unknown]>(['type', 'item_reference'], ['type', null], ['type', 'message'], ['role', 'user'], ['id', 'msg_alice'], ['id', 'msg_other'], ['content', 'hi']),
    );
    fc.assert(fc.property(fc.array(fc.tuple(field, fc.boolean()), { maxLength: 6 }), fc.constantFrom('/v1/conversations', '/v1/conversations/:id/*'), (fields, pattern) => {
      const element = `{${fields.map(([[k, v], esc]) => `"${esc ? escape(k) : k}":${JSON.stringify(v)}`).join(',')}}`;
      const raw = Buffer.from(`{"items":[${element}]}`);
      const found = rule(pattern).namedInBody!(raw).map((n) => n.id);
      const reads = (keep: 'first' | 'last') => {
        const out: Record<string, unknown> = {};
        for (const [[k, v]] of fields) if (keep === 'last' || !(k in out)) out[k] = v;
        return out;
      };
      for (const parsed of [reads('first'), reads('last')]) {
        const reference = parsed.type === 'item_reference' || ((parsed.type === undefined || parsed.type === null) && parsed.role === undefined);
        if (reference && parsed.id === 'msg_alice') expect(found).toContain('msg_alice');
      }
    }));
  });
});
