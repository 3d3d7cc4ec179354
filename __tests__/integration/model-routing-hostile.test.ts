/** Model routes against a hostile client: odd models and bodies, path tricks, foreign credentials, leaving mid-way, a chain of failures. */
import http from 'node:http';
import OpenAI from 'openai';
import { openaiProvider, type BridgeOptions } from '../../lib';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';
import { rawRequest } from '../helpers/raw-request';

const KEYS = { a: 'sk-hostile-route-a-1111', b: 'sk-hostile-route-b-2222', c: 'sk-hostile-route-c-3333' };
const ALICE = { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' };
let a: FakeUpstream;
let b: FakeUpstream;
let gw: Gateway;

function options(extra: Partial<BridgeOptions> = {}): Partial<BridgeOptions> & Pick<BridgeOptions, 'providers'> {
  return {
    providers: [
      openaiProvider({ keys: [KEYS.a], baseURL: a.url, byok: true }),
      openaiProvider({ name: 'openai-b', keys: [KEYS.b], baseURL: b.url, byok: true }),
      openaiProvider({ name: 'down', keys: [KEYS.c], baseURL: 'http://127.0.0.1:1/v1' }),
    ],
    routes: [
      { name: 'auto', rules: [{ model: ['gpt-*', 'o3'], providers: ['openai', 'openai-b'] }] },
      { name: 'any', rules: [{ model: '*', providers: ['openai', 'openai-b'] }] },
      { name: 'resilient', rules: [{ model: '*', providers: ['down', 'openai-b'] }] },
    ],
    ...extra,
  };
}

beforeAll(async () => {
  a = await startFakeOpenAI();
  b = await startFakeOpenAI();
  gw = await startGateway(options());
});
afterAll(async () => {
  await gw.close();
  await a.close();
  await b.close();
});
beforeEach(() => {
  for (const u of [a, b]) {
    u.requests.length = 0;
    u.behaviour = undefined;
  }
  gw.recorder.clear();
});

const post = (path: string, body: string | Buffer, headers: Record<string, string> = ALICE, g = gw) => rawRequest(g.url, 'POST', path, headers, body);
const chat = (model: unknown) => JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }] });
const upstreamCalls = () => a.requests.length + b.requests.length;

describe('an odd model', () => {
  it.each([
    ['a number', 42], ['null', null], ['an object', { name: 'gpt-4o' }], ['an array', ['gpt-4o']], ['a boolean', true],
  ])('refuses %s as the model with the API\'s 400, sending and recording nothing', async (_what, model) => {
    const res = await post('/auto/v1/chat/completions', chat(model));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ error: { message: expect.stringContaining('`model`'), type: 'invalid_request_error', code: 'invalid_request' } });
    expect(upstreamCalls()).toBe(0);
    expect(gw.recorder.interceptions).toHaveLength(0);
  });

  it('answers a unicode, NUL-carrying or look-alike model no rule matches with a 404 that quotes it in valid JSON', async () => {
    for (const model of ['ｇｐｔ-4o', 'gpt\u0000-4o'.replace('gpt', '\u0000gpt'), '\u{1F600}\u202Egpt-4o', 'GPT-4O']) {
      const res = await post('/auto/v1/chat/completions', chat(model));
      expect(res.status).toBe(404);
      const body = JSON.parse(res.body);
      expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found' });
      expect(body.error.message).toContain(model);
    }
    expect(upstreamCalls()).toBe(0);
    expect(gw.bridge.stats().routes?.auto.unmatched).toBeGreaterThanOrEqual(4);
  });

  it('answers a 1 MB model quickly, quoting a bounded part of it', async () => {
    const model = `gpt${'x'.repeat(1 << 20)}`;
    const started = Date.now();
    const res = await post('/auto/v1/chat/completions', chat(model));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.status).toBe(404);
    expect(res.body.length).toBeLessThan(1024);
    expect(upstreamCalls()).toBe(0);
  });

  it('never splits a character when it shortens a long model in its answer', async () => {
    // 255 ASCII characters, then emoji (two UTF-16 units each): the cut falls inside the first one.
    const model = `${'m'.repeat(255)}${'\u{1F600}'.repeat(10)}`;
    const res = await post('/auto/v1/chat/completions', chat(model));
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('\\ud83d');
    expect(res.body).not.toContain('\uFFFD');
    expect(JSON.parse(res.body).error.message).toContain(`${'m'.repeat(255)}…`);
  });
});

describe('an odd body', () => {
  it.each([
    ['not JSON', 'model=gpt-4o'],
    ['truncated JSON', '{"model":"gpt-4o","messages":[{"role":"user"'],
    ['a JSON array', '[{"model":"gpt-4o"}]'],
    ['JSON null', 'null'],
    ['a JSON string', '"gpt-4o"'],
    ['an empty body', ''],
  ])('answers %s with the API\'s 400, sending and recording nothing', async (_what, body) => {
    const res = await post('/auto/v1/chat/completions', body);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: { type: 'invalid_request_error', code: expect.any(String) } });
    expect(upstreamCalls()).toBe(0);
    expect(gw.recorder.interceptions).toHaveLength(0);
  });

  it('answers an oversized body with the API\'s 413 as soon as it passes the limit', async () => {
    const g = await startGateway(options({ maxBodyBytes: 1024 }));
    try {
      const res = await post('/auto/v1/chat/completions', chat(`gpt-${'x'.repeat(4096)}`), ALICE, g);
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'request_too_large' } });
      expect(upstreamCalls()).toBe(0);
      expect(g.recorder.interceptions).toHaveLength(0);
    } finally {
      await g.close();
    }
  });

  it('lets a client that stops mid-body go without an answer, a record or an upstream call, and keeps serving', async () => {
    const url = new URL(gw.url);
    await new Promise<void>((resolve) => {
      const req = http.request({ host: url.hostname, port: url.port, path: `${url.pathname}/auto/v1/chat/completions`, method: 'POST', headers: { ...ALICE, 'content-length': '5000' } });
      req.on('error', () => resolve());
      req.write('{"model":"gpt-4o","messages":');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(upstreamCalls()).toBe(0);
    expect(gw.recorder.interceptions).toHaveLength(0);
    const after = await post('/auto/v1/chat/completions', chat('gpt-4o'));
    expect(after.status).toBe(200);
  });
});

describe('path tricks under the route prefix', () => {
  it.each([
    '/auto/v1/../v1/chat/completions',
    '/auto/v1/./chat/completions',
    '/auto/v1/chat%2fcompletions',
    '/auto/v1/chat%2Fcompletions',
    '/auto/v1%2fchat/completions',
    '/auto/%2e%2e/openai/v1/chat/completions',
    '/auto/v1/%252e%252e/chat/completions',
    '/auto/v1\\chat\\completions',
    '/auto/v1/chat/completions;.',
    '/auto/v1/chat/completions/',
    '/auto/v1/chat/completions%00',
    '/auto/v1/%EF%BC%8E%EF%BC%8E/chat/completions', // fullwidth dots
  ])('answers POST %s with a 404 in the API\'s shape, sending nothing', async (path) => {
    const res = await post(path, chat('gpt-4o'));
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect(upstreamCalls()).toBe(0);
    expect(gw.recorder.interceptions).toHaveLength(0);
  });

  it('never reaches a provider\'s passthrough through the route', async () => {
    for (const path of ['/auto/v1/models', '/auto/v1/models/gpt-4o', '/auto/v1/responses/resp_1', '/auto/../openai/v1/models']) {
      const res = await rawRequest(gw.url, 'GET', path, { 'x-user-token': 'user-token-alice' });
      expect(res.status).toBe(404);
    }
    expect(upstreamCalls()).toBe(0);
  });
});

describe('credentials the client sends to a route', () => {
  it('never forwards them, even to providers that take BYOK: only the pool key goes up, and no header carries the client\'s', async () => {
    const own = 'sk-client-own-key-should-never-leave-9999';
    const res = await post('/auto/v1/chat/completions', chat('gpt-4o'), { ...ALICE, authorization: `Bearer ${own}`, 'x-api-key': own, 'api-key': own, 'openai-organization': 'org-client' });
    expect(res.status).toBe(200);
    expect(a.requests).toHaveLength(1);
    expect(a.requests[0].headers.authorization).toBe(`Bearer ${KEYS.a}`);
    expect(JSON.stringify(a.requests[0].headers)).not.toContain(own);
    expect(a.requests[0].headers['openai-organization']).toBeUndefined();
    const [record] = gw.recorder.interceptions;
    expect(record.credentialKind).toBe('centralized');
  });
});

describe('one actor cannot make the route fall back for everybody', () => {
  it.each([
    ['a 429 for its own size', 429, { message: 'Request too large for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Requested 52000.', type: 'tokens', param: null, code: 'rate_limit_exceeded' }],
    ['a 429 for its context length', 429, { message: "This model's maximum context length is 128000 tokens.", type: 'invalid_request_error', param: null, code: 'context_length_exceeded' }],
    ['a 401 for a missing scope', 401, { message: 'You have insufficient permissions for this operation. Missing scopes: api.responses.write.', type: 'invalid_request_error', param: null, code: null }],
  ])('relays %s to its sender only: no cooldown, no fallback, the next actor still served by the first provider', async (_what, status, error) => {
    a.behaviour = (req, res) => {
      if (!req.body.includes('poison')) return 'default';
      res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '60' });
      res.end(JSON.stringify({ error }));
    };
    const mallory = await post('/auto/v1/chat/completions', JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'poison' }] }));
    expect(mallory.status).toBe(status);
    expect(JSON.parse(mallory.body).error.message).toBe(error.message);
    expect(b.requests).toHaveLength(0);
    const bob = await post('/auto/v1/chat/completions', chat('gpt-4o'), { ...ALICE, 'x-user-token': 'user-token-bob' });
    expect(bob.status).toBe(200);
    expect(a.requests).toHaveLength(2);
    expect(b.requests).toHaveLength(0);
    expect((await gw.bridge.keyPoolStatus()).find((p) => p.provider === 'openai')!.keys.every((k) => k.state === 'healthy')).toBe(true);
  });
});

describe('a chain where every provider fails', () => {
  it('gives the client the last provider\'s own answer, provider-shaped, and records each provider\'s own failure once', async () => {
    const g = await startGateway({
      ...options(),
      routes: [
        { name: 'cooling-then-down', rules: [{ model: '*', providers: ['openai', 'down'] }] },
        { name: 'down-then-cooling', rules: [{ model: '*', providers: ['down', 'openai'] }] },
      ],
    });
    try {
      a.behaviour = (req, res) => {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '30' });
        res.end(JSON.stringify({ error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } }));
      };
      const first = await post('/cooling-then-down/v1/chat/completions', chat('gpt-4o'), ALICE, g);
      expect(first.status).toBe(502);
      expect(JSON.parse(first.body)).toEqual({ error: { message: 'The upstream provider could not be reached.', type: expect.any(String), code: 'upstream_unreachable' } });
      const second = await post('/down-then-cooling/v1/chat/completions', chat('gpt-4o'), ALICE, g);
      expect(second.status).toBe(429);
      expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.parse(second.body)).toEqual({ error: { message: 'All configured keys are rate-limited.', type: expect.any(String), code: expect.any(String) } });
      // The key cooled once, by the upstream's own 429: the second request did not call it again.
      expect(a.requests).toHaveLength(1);
      await eventually(() => expect(g.recorder.interceptionEnds).toHaveLength(4));
      const ends = g.recorder.interceptions.map((s) => [s.providerName, g.recorder.interceptionEnds.filter((e) => e.id === s.id).map((e) => e.errorCode)]);
      expect(ends).toEqual([
        ['openai', ['rate_limit_exceeded']], ['down', ['upstream_unreachable']],
        ['down', ['upstream_unreachable']], ['openai', ['rate_limit_exceeded']],
      ]);
      expect(g.bridge.stats().routes).toMatchObject({ 'cooling-then-down': { routed: 1, fallbacks: 1 }, 'down-then-cooling': { routed: 1, fallbacks: 1 } });
    } finally {
      await g.close();
    }
  });
});

describe('a client that leaves during fallback', () => {
  it('leaves no upstream request running, no capacity slot or limit point taken, and one end record per provider tried', async () => {
    let held: http.ServerResponse | undefined;
    let upstreamClosed = false;
    b.behaviour = (req, res) => {
      held = res;
      res.on('close', () => { upstreamClosed = true; });
    };
    const g = await startGateway(options({ maxConcurrentPerActor: 1, limits: [{ name: 'per-user', per: 'actor', requests: { points: 10, windowMs: 60_000 } }] }));
    try {
      const url = new URL(g.url);
      await new Promise<void>((resolve) => {
        const req = http.request({ host: url.hostname, port: url.port, path: `${url.pathname}/resilient/v1/chat/completions`, method: 'POST', headers: ALICE });
        req.on('error', () => resolve());
        req.end(chat('gpt-4o'));
        void eventually(() => expect(held).toBeDefined()).then(() => {
          req.destroy();
          resolve();
        });
      });
      await eventually(() => expect(upstreamClosed).toBe(true));
      await eventually(() => expect(g.recorder.interceptionEnds).toHaveLength(2));
      const ends = g.recorder.interceptions.map((s) => [s.providerName, g.recorder.interceptionEnds.filter((e) => e.id === s.id).map((e) => e.status)]);
      expect(ends).toEqual([['down', ['failed']], ['openai-b', ['aborted']]]);
      // The slot is free again (one per actor) and the request counted once.
      b.behaviour = undefined;
      const next = await post('/resilient/v1/chat/completions', chat('gpt-4o'), ALICE, g);
      expect(next.status).toBe(200);
      expect((await g.bridge.usageOf('alice')).find((u) => u.name === 'per-user')?.used).toBe(2);
      await eventually(() => expect(g.recorder.interceptionEnds).toHaveLength(4));
      expect(new Set(g.recorder.interceptionEnds.map((e) => e.id)).size).toBe(4);
    } finally {
      await g.close();
    }
  });

  it('does not try the next provider once the client left while the first was being admitted', async () => {
    let release: () => void = () => {};
    const authorizing = new Promise<void>((resolve) => { release = resolve; });
    const g = await startGateway(options({
      authorize: async (ctx) => {
        if (ctx.kind === 'bridged' && ctx.interception.providerName === 'down') await authorizing;
        return true;
      },
    }));
    try {
      const url = new URL(g.url);
      const req = http.request({ host: url.hostname, port: url.port, path: `${url.pathname}/resilient/v1/chat/completions`, method: 'POST', headers: ALICE });
      req.on('error', () => {});
      req.end(chat('gpt-4o'));
      await eventually(() => expect(g.recorder.interceptions).toHaveLength(1));
      req.destroy();
      await new Promise((r) => setTimeout(r, 50));
      release();
      await eventually(() => expect(g.recorder.interceptionEnds).toHaveLength(1));
      await new Promise((r) => setTimeout(r, 50));
      expect(g.recorder.interceptionEnds.map((e) => e.status)).toEqual(['aborted']);
      expect(b.requests).toHaveLength(0);
      expect(g.recorder.interceptions).toHaveLength(1);
      expect(g.bridge.stats().routes?.resilient.fallbacks).toBe(0);
    } finally {
      await g.close();
    }
  });
});

describe('concurrent requests while a circuit opens', () => {
  it('answers each client once, with the first provider\'s relayed 5xx or the next provider\'s answer, never both', async () => {
    const g = await startGateway(options({ circuitBreaker: { failures: 3, windowMs: 60_000, openMs: 60_000 } }));
    try {
      a.behaviour = async (req, res) => {
        await new Promise((r) => setTimeout(r, 20));
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'The server is overloaded.', type: 'server_error', param: null, code: null } }));
      };
      const client = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${g.url}/auto/v1`, maxRetries: 0 });
      const answers = await Promise.all(Array.from({ length: 24 }, async (_, i) => {
        // Spread over time, so that some arrive before the circuit opens and some after.
        await new Promise((r) => setTimeout(r, i * 10));
        return client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: `n${i}` }] }).then(() => 200, (e: { status?: number }) => e.status);
      }));
      const served = answers.filter((s) => s === 200).length;
      const relayed = answers.filter((s) => s === 503).length;
      expect(served + relayed).toBe(24);
      expect(relayed).toBeGreaterThanOrEqual(3);
      expect(served).toBeGreaterThan(0);
      expect(b.requests).toHaveLength(served);
      await eventually(() => expect(g.recorder.interceptionEnds).toHaveLength(24 + served));
      const ends = g.recorder.interceptionEnds;
      // Each client request has exactly one interception that answered it; the others went on.
      const answered = ends.filter((e) => !e.errorMessage?.includes('went on to provider'));
      expect(answered).toHaveLength(24);
      expect(ends.filter((e) => e.errorMessage?.includes('went on to provider')).every((e) => e.errorCode === 'circuit_open')).toBe(true);
      expect(new Set(ends.map((e) => e.id)).size).toBe(ends.length);
      expect(g.bridge.stats().routes?.auto).toMatchObject({ routed: 24, fallbacks: served });
    } finally {
      await g.close();
    }
  });
});

describe('a client leaving while the route waits for its actor', () => {
  it('gives the slot back: a resolver that never answers holds nothing once its client left', async () => {
    let asked = 0;
    const g = await startGateway(options({ maxConcurrent: 1, actor: (req) => {
      asked++;
      return req.headers['x-user-token'] === 'stuck' ? new Promise<never>(() => {}) : { id: 'alice' };
    } }));
    try {
      const leaving = new AbortController();
      const stuck = fetch(`${g.url}/auto/v1/chat/completions`, {
        method: 'POST', signal: leaving.signal, headers: { 'x-user-token': 'stuck', 'content-type': 'application/json' }, body: chat('gpt-4o'),
      }).catch((err: unknown) => err);
      await eventually(() => expect(asked).toBe(1));
      leaving.abort();
      await stuck;
      // Its slot came back: the next request is served, not refused at capacity.
      await eventually(async () => {
        const res = await post('/auto/v1/chat/completions', chat('gpt-4o'), ALICE, g);
        expect(res.status).toBe(200);
      });
      // Nothing of it is in flight any more: close() has nothing to wait for (it would wait out its grace period).
      const closing = Date.now();
      await g.close();
      expect(Date.now() - closing).toBeLessThan(5_000);
    } finally {
      await g.close();
    }
  });
});
