/** A request's own fault never cools a key: request-caused 429s and scope 401s are relayed, with no failover and no cooldown. */
import { gzipSync } from 'node:zlib';
import { bearer, keyedUpstream, keysSeen, type KeyAnswer } from '../helpers/keyed-upstream';
import type { Behaviour } from '../helpers/fake-openai';
import { eventually } from '../helpers/gateway';
import { CHAT, HINTS, K1, K2, KEYS, chat, gateway, keyPoolSuite, send, shared } from '../helpers/key-pool-suite';

keyPoolSuite();

/** OpenAI's wording for one request larger than the key's tokens-per-minute limit (a 429 whatever key sends it). */
function tooLarge(key: string): Record<string, unknown> {
  return {
    error: {
      // The upstream quoting our key must still reach the client redacted.
      message: `Request too large for gpt-4o in organization org-abc (key ${key}) on tokens per min (TPM): Limit 30000, Requested 52000. The input or output tokens must be reduced in order to run successfully. Visit https://platform.openai.com/account/rate-limits to learn more.`,
      type: 'tokens', param: null, code: 'rate_limit_exceeded',
    },
  };
}

const MISSING_SCOPE = {
  error: {
    message: 'You have insufficient permissions for this operation. Missing scopes: api.responses.write. Check that you have the correct role in your organization (Reader, Writer, Owner) and project (Member, Owner), and if you\'re using a restricted API key, that it has the necessary scopes.',
    type: 'invalid_request_error', param: null, code: null,
  },
};

const everyKey = (answer: (key: string) => KeyAnswer) => keyedUpstream(Object.fromEntries(KEYS.map((k) => [bearer(k), answer(k)])));

const states = async (gw: Awaited<ReturnType<typeof gateway>>) => (await gw.bridge.keyPoolStatus())[0].keys.map((k) => k.state);

/** A key that fails only on the path that starts with `prefix` and answers normally elsewhere (gzipped when asked). */
function failingOn(prefix: string, status: number, body: Record<string, unknown>, gzip = false): Behaviour {
  return (req, res) => {
    if (!req.url.startsWith(prefix)) return 'default';
    res.writeHead(status, { 'content-type': 'application/json', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
    res.end(gzip ? gzipSync(JSON.stringify(body)) : JSON.stringify(body));
    return undefined;
  };
}

describe('key pool: request-caused 429s', () => {
  test('request too large from every key → that 429, redacted, after one attempt; the next small request succeeds on key one', async () => {
    shared.upstream.behaviour = everyKey((k) => [{ status: 429, body: tooLarge(k) }]);
    const gw = await gateway();
    const big = await send(gw, '/chat/completions', { body: JSON.stringify({ ...CHAT, messages: [{ role: 'user', content: 'x'.repeat(20_000) }] }) });
    expect(big.status).toBe(429);
    expect(big.body).toBe(JSON.stringify(tooLarge(HINTS[0])));
    expect(keysSeen(shared.upstream.requests)).toEqual([K1]);
    expect(await states(gw)).toEqual(['healthy', 'healthy', 'healthy']);

    const small = await chat(gw);
    expect(small.status).toBe(200);
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K1]);

    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(2));
    expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: 429, credentialHint: HINTS[0] });
    expect(gw.recorder.interceptionEnds[0].attempts).toEqual([{ credentialHint: HINTS[0], httpStatus: 429, errorType: 'rate_limited', durationMs: expect.any(Number) }]);
  });

  test('Retry-After: 86400 on a request-caused 429 cools nothing (it reaches the client as the upstream sent it)', async () => {
    shared.upstream.behaviour = everyKey((k) => [{ status: 429, headers: { 'retry-after': '86400' }, body: tooLarge(k) }]);
    const gw = await gateway();
    const res = await chat(gw);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('86400');
    expect(await states(gw)).toEqual(['healthy', 'healthy', 'healthy']);
    expect((await chat(gw)).status).toBe(200);
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K1]);
  });

  test('tokens per minute: Requested over the Limit is the request\'s fault; Used + Requested over it is the key\'s', async () => {
    const tpm = (used: number, requested: number) => ({
      error: { message: `Rate limit reached for gpt-4o in organization org-abc on tokens per min (TPM): Limit 30000, Used ${used}, Requested ${requested}. Please try again in 2s.`, type: 'tokens', param: null, code: 'rate_limit_exceeded' },
    });
    shared.upstream.behaviour = keyedUpstream({ [bearer(K1)]: [{ status: 429, body: tpm(100, 52_000) }, { status: 429, body: tpm(29_500, 800) }] });
    const gw = await gateway();
    const own = await chat(gw);
    expect(own.status).toBe(429);
    expect(own.body).toBe(JSON.stringify(tpm(100, 52_000)));
    expect(keysSeen(shared.upstream.requests)).toEqual([K1]);

    expect((await chat(gw)).status).toBe(200);
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K1, K2]);
    expect(await states(gw)).toEqual(['cooling', 'healthy', 'healthy']);
  });

  test('a streamed request too large gets the 429 before any byte, with no failover', async () => {
    shared.upstream.behaviour = everyKey((k) => [{ status: 429, body: tooLarge(k) }]);
    const gw = await gateway();
    const res = await send(gw, '/chat/completions', { body: JSON.stringify({ ...CHAT, stream: true }) });
    expect(res.status).toBe(429);
    expect(res.body).toBe(JSON.stringify(tooLarge(HINTS[0])));
    expect(keysSeen(shared.upstream.requests)).toEqual([K1]);
    expect(await states(gw)).toEqual(['healthy', 'healthy', 'healthy']);
  });
});

describe('key pool: key failures keep failing over and cooling', () => {
  test.each([
    ['insufficient_quota 429', 429, { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } }, 'rate_limited'],
    ['requests-per-minute 429', 429, { error: { message: 'Rate limit reached for gpt-4o in organization org-abc on requests per min (RPM): Limit 500, Used 500, Requested 1.', type: 'requests', param: null, code: 'rate_limit_exceeded' } }, 'rate_limited'],
    ['invalid_api_key 401', 401, { error: { message: `Incorrect API key provided: ${K1}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }, 'unauthorized'],
  ])('%s → fails over to key two and cools key one', async (_name, status, body, reason) => {
    shared.upstream.behaviour = keyedUpstream({ [bearer(K1)]: { status, body } });
    const gw = await gateway();
    expect((await chat(gw)).status).toBe(200);
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K2]);
    const [first] = (await gw.bridge.keyPoolStatus())[0].keys;
    expect(first).toMatchObject({ state: 'cooling', reason });
  });
});

describe('key pool: a scope missing on one route', () => {
  test('a /responses-only scope 401 is relayed without failover; chat keeps using key one', async () => {
    shared.upstream.behaviour = keyedUpstream({ [bearer(K1)]: failingOn('/v1/responses', 401, MISSING_SCOPE) });
    const gw = await gateway();
    const responses = JSON.stringify({ model: 'gpt-4o-mini', input: 'Hi' });
    const refused = await send(gw, '/responses', { body: responses });
    expect(refused.status).toBe(401);
    expect(refused.body).toBe(JSON.stringify(MISSING_SCOPE));
    expect(keysSeen(shared.upstream.requests)).toEqual([K1]);

    const chatted = await chat(gw);
    expect(chatted.status).toBe(200);
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K1]);
    expect(await states(gw)).toEqual(['healthy', 'healthy', 'healthy']);

    // Nothing is remembered: the next /responses call is refused by key one again, and says why.
    expect((await send(gw, '/responses', { body: responses })).status).toBe(401);
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K1, K1]);
  });

  test('when every key lacks the scope, every call gets the upstream\'s 401, never the pool\'s 502; other routes are untouched', async () => {
    shared.upstream.behaviour = everyKey(() => failingOn('/v1/responses', 401, MISSING_SCOPE));
    const gw = await gateway({ keys: [K1, K2] });
    const responses = JSON.stringify({ model: 'gpt-4o-mini', input: 'Hi' });
    for (let i = 0; i < 3; i++) expect((await send(gw, '/responses', { body: responses })).status).toBe(401);
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K1, K1]);
    expect((await chat(gw)).status).toBe(200);
  });
});

describe('key pool: a scope refusal one request causes', () => {
  test('requests whose own content needs a scope the keys lack never lock the route for other users', async () => {
    // Only requests asking for file_search need the vector-store scope: the refusal is about the request, not the route.
    const vectorScope = { error: { ...MISSING_SCOPE.error, message: MISSING_SCOPE.error.message.replace('api.responses.write', 'api.vector_stores.read') } };
    const fileSearchOnly: Behaviour = (req, res) => {
      if (!req.url.startsWith('/v1/responses') || !req.body.includes('file_search')) return 'default';
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(vectorScope));
      return undefined;
    };
    shared.upstream.behaviour = everyKey(() => fileSearchOnly);
    const gw = await gateway();
    const fileSearch = JSON.stringify({ model: 'gpt-4o-mini', input: 'Hi', tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }] });
    for (let i = 0; i < KEYS.length; i++) expect((await send(gw, '/responses', { body: fileSearch })).status).toBe(401);
    const plain = await send(gw, '/responses', { body: JSON.stringify({ model: 'gpt-4o-mini', input: 'Hi' }) });
    expect(plain.status).toBe(200);
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K1, K1, K1]);
  });
});

describe('key pool: request faults on passthrough', () => {
  test('POST /conversations too large → the 429 is relayed after one attempt; GET /models and chat still use key one', async () => {
    shared.upstream.behaviour = keyedUpstream({ [bearer(K1)]: failingOn('/v1/conversations', 429, tooLarge(K1)) });
    const gw = await gateway();
    const res = await send(gw, '/conversations', { body: JSON.stringify({ items: [{ type: 'message', role: 'user', content: 'x'.repeat(20_000) }] }) });
    expect(res.status).toBe(429);
    expect(res.body).toBe(JSON.stringify(tooLarge(HINTS[0])));
    expect(keysSeen(shared.upstream.requests)).toEqual([K1]);
    expect((await send(gw, '/models')).status).toBe(200);
    expect((await chat(gw)).status).toBe(200);
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K1, K1]);
    expect(await states(gw)).toEqual(['healthy', 'healthy', 'healthy']);
  });

  test('a scope 401 on GET /models/:id is relayed; GET /models and chat keep key one', async () => {
    shared.upstream.behaviour = keyedUpstream({ [bearer(K1)]: failingOn('/v1/models/', 401, MISSING_SCOPE) });
    const gw = await gateway();
    const refused = await send(gw, '/models/gpt-4o-mini');
    expect(refused.status).toBe(401);
    expect(refused.body).toBe(JSON.stringify(MISSING_SCOPE));
    expect((await send(gw, '/models')).status).toBe(200);
    expect((await chat(gw)).status).toBe(200);
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K1, K1]);
    // Nothing is remembered: the same route asks key one again.
    expect((await send(gw, '/models/gpt-4o-mini')).status).toBe(401);
    expect(keysSeen(shared.upstream.requests).at(-1)).toBe(K1);
  });

  test('a gzip-encoded scope 401 on passthrough (an upstream ignoring identity) is judged on its decoded words: no cooldown', async () => {
    shared.upstream.behaviour = keyedUpstream({ [bearer(K1)]: failingOn('/v1/models/', 401, MISSING_SCOPE, true) });
    const gw = await gateway();
    const refused = await send(gw, '/models/gpt-4o-mini');
    expect(refused.status).toBe(401);
    expect(refused.body).toBe(JSON.stringify(MISSING_SCOPE));
    expect(await states(gw)).toEqual(['healthy', 'healthy', 'healthy']);
    expect((await chat(gw)).status).toBe(200);
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K1]);
  });

  test('a real rate limit on passthrough still fails over and cools', async () => {
    shared.upstream.behaviour = keyedUpstream({ [bearer(K1)]: { status: 429, headers: { 'retry-after': '30' } } });
    const gw = await gateway();
    expect((await send(gw, '/models')).status).toBe(200);
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K2]);
    expect(await states(gw)).toEqual(['cooling', 'healthy', 'healthy']);
  });
});
