/** createDashboard over HTTP on a seeded MemoryRecorder: the JSON endpoints return the store's data, bad input is a 400, security headers everywhere. */
import { adminFetch, startDashboard, POOL_KEYS, type DashboardServer } from '../helpers/dashboard-server';
import { SEEDED, XSS_PROMPT } from '../helpers/dashboard-seed';

let srv: DashboardServer;
beforeAll(async () => { srv = await startDashboard(); });
afterAll(async () => { await srv.close(); });
beforeEach(() => { srv.query.calls.length = 0; srv.query.failWith = undefined; });

async function getJson(path: string) {
  const res = await adminFetch(srv.url + path);
  return { res, body: await res.json() as any };
}

function expectOpenAIError(body: any) {
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'type']);
  expect(typeof body.error.message).toBe('string');
}

describe('endpoints return the query data', () => {
  test('totals default to the last 7 days', async () => {
    const { res, body } = await getJson('/api/totals');
    expect(res.status).toBe(200);
    expect(body).toMatchObject({
      interceptions: SEEDED.week.interceptions, input: SEEDED.week.input, output: SEEDED.week.output,
      completed: SEEDED.week.completed, failed: SEEDED.week.failed,
    });
    expect(body.cost).toMatchObject({ estimate: true, unpricedModels: ['local-llama'], unpricedTokens: SEEDED.week.cost.unpricedTokens });
    expect(body.cost.usd).toBeCloseTo(SEEDED.week.cost.usd, 9);
    const { range } = srv.query.calls[0].args as any;
    expect(range.to.getTime() - range.from.getTime()).toBe(7 * 86_400_000);
  });

  test('range=24h and filters reach the query', async () => {
    const { body } = await getJson('/api/totals?range=24h&actor=alice&model=gpt-4o&provider=openai&client=openai-node');
    expect(body.interceptions).toBe(2);
    expect(srv.query.calls[0].args).toMatchObject({ filter: { actor: 'alice', model: 'gpt-4o', provider: 'openai', client: 'openai-node' } });
  });

  test('from/to are passed as dates', async () => {
    await getJson('/api/totals?from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00.000Z');
    expect(srv.query.calls[0].args).toMatchObject({ range: { from: new Date('2025-01-01T00:00:00Z'), to: new Date('2025-01-02T00:00:00Z') } });
  });

  test('group by actor, largest first', async () => {
    const { body } = await getJson('/api/group?by=actor&limit=5');
    expect(body.by).toBe('actor');
    expect(body.groups.map((g: any) => g.key)).toEqual(['alice', 'bob', expect.stringContaining('mallory')]);
    expect(body.groups[0].input + body.groups[0].output + body.groups[0].cacheRead).toBe(SEEDED.week.aliceTokens);
    expect(srv.query.calls[0].args).toMatchObject({ by: 'actor', limit: 5 });
  });

  test('time series picks hour buckets for 24h and day buckets for 7d unless told', async () => {
    expect((await getJson('/api/timeseries?range=24h')).body.bucket).toBe('hour');
    const week = await getJson('/api/timeseries?range=7d');
    expect(week.body.bucket).toBe('day');
    expect(week.body.points.length).toBeGreaterThan(0);
    expect(typeof week.body.points[0].bucketStart).toBe('string');
    expect((await getJson('/api/timeseries?range=7d&bucket=hour&by=model')).body).toMatchObject({ bucket: 'hour', by: 'model' });
  });

  test('tools, injected and client apart', async () => {
    const { body } = await getJson('/api/tools');
    expect(body.tools).toEqual(expect.arrayContaining([
      expect.objectContaining({ tool: 'bmcp_deepwiki_ask_question', injected: true, calls: 2, errors: 1 }),
      expect.objectContaining({ tool: 'read_file', injected: false, calls: 1 }),
    ]));
  });

  test('interceptions page by cursor', async () => {
    const first = await getJson('/api/interceptions?limit=4');
    expect(first.body.items).toHaveLength(4);
    expect(first.body.nextCursor).toBeDefined();
    const second = await getJson(`/api/interceptions?limit=4&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.items).toHaveLength(2);
    expect(second.body.nextCursor).toBeUndefined();
    const bob = first.body.items.find((i: any) => i.id === 'i-bob-1');
    expect(bob.attempts).toHaveLength(2);
  });

  test('one interception in full; unknown id is a 404', async () => {
    const { res, body } = await getJson('/api/interceptions/i-mallory-1');
    expect(res.status).toBe(200);
    expect(body.prompts[0].prompt).toBe(XSS_PROMPT);
    expect(body.tools[0].args).toEqual({ path: '<script>alert(4)</script>' });
    expect(body.ended).toMatchObject({ gatewayMs: 0.6, upstreamFirstByteMs: 90 });
    const missing = await getJson('/api/interceptions/no-such-id');
    expect(missing.res.status).toBe(404);
    expectOpenAIError(missing.body);
  });

  test('overhead: gateway and upstream first-byte percentiles, range and filters passed on', async () => {
    const { res, body } = await getJson('/api/overhead');
    expect(res.status).toBe(200);
    expect(body).toEqual(SEEDED.weekOverhead);
    const bob = await getJson('/api/overhead?actor=bob');
    expect(bob.body).toEqual({ samples: 2, gatewayMs: { p50: 0.4, p90: 2.5, p99: 2.5 }, upstreamFirstByteMs: { p50: 50, p90: 450, p99: 450 } });
    expect(srv.query.calls.map((c) => c.method)).toEqual(['overhead', 'overhead']);
    expect(srv.query.calls[1].args).toMatchObject({ filter: { actor: 'bob' } });
    expect((await getJson('/api/overhead?range=nonsense')).res.status).toBe(400);
  });

  test('keys come from bridge.keyPoolStatus(), masked', async () => {
    const res = await adminFetch(srv.url + '/api/keys');
    const text = await res.text();
    expect(res.status).toBe(200);
    const body = JSON.parse(text);
    expect(body.providers[0]).toMatchObject({ provider: 'openai', store: 'memory' });
    expect(body.providers[0].keys.map((k: any) => k.state)).toEqual(['healthy', 'healthy']);
    for (const key of POOL_KEYS) expect(text).not.toContain(key);
  });

  test('breakers come from bridge.stats(): an open circuit after its upstream failed', async () => {
    expect((await getJson('/api/breakers')).body).toEqual({ breakers: [] });
    const failed = await fetch(`${srv.origin}/ai/openai/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-down', messages: [] }) });
    expect(failed.status).toBe(502);
    const { res, body } = await getJson('/api/breakers');
    expect(res.status).toBe(200);
    expect(body.breakers).toEqual([{ provider: 'openai', api: 'chat-completions', model: 'gpt-down', state: 'open', failures: 0, openUntil: expect.any(String) }]);
    expect(Date.parse(body.breakers[0].openUntil)).toBeGreaterThan(Date.now());
    expect((await adminFetch(srv.url + '/api/breakers?x=1')).status).toBe(400);
  });

  test('breakers are null for a bridge without the circuit breaker, a 404 without a bridge', async () => {
    const off = await startDashboard({ options: { bridge: { keyPoolStatus: async () => [], stats: () => ({ providers: {}, recorderFailures: 0, recorderTimeouts: 0, recorderDropped: 0, recorderPending: 0, recorderPendingBytes: 0 }) } } });
    const bare = await startDashboard({ withBridge: false });
    try {
      expect(await (await adminFetch(off.url + '/api/breakers')).json()).toEqual({ breakers: null });
      const res = await adminFetch(bare.url + '/api/breakers');
      expect(res.status).toBe(404);
      expectOpenAIError(await res.json());
    } finally {
      await off.close();
      await bare.close();
    }
  });

  test('keys are a 404 without a bridge', async () => {
    const bare = await startDashboard({ withBridge: false });
    try {
      const res = await adminFetch(bare.url + '/api/keys');
      expect(res.status).toBe(404);
      expectOpenAIError(await res.json());
      expect(await (await adminFetch(bare.url + '/')).text()).toContain('data-keys="off"');
    } finally { await bare.close(); }
  });
});

describe('bad input is a 400, never a 500', () => {
  test.each([
    ['/api/totals?range=1y', 'range'],
    ['/api/totals?range=24h&from=2025-01-01T00:00:00Z', 'range'],
    ['/api/totals?from=yesterday', 'from'],
    ['/api/totals?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z', 'from'],
    ['/api/totals?actor=a&actor=b', 'actor'],
    ['/api/totals?actor[x]=1', 'actor'],
    ['/api/totals?actor=', 'actor'],
    [`/api/totals?model=${'m'.repeat(300)}`, 'model'],
    ['/api/totals?colour=red', 'colour'],
    ['/api/group', 'by'],
    ['/api/group?by=__proto__', 'by'],
    ['/api/group?by=actor&limit=0', 'limit'],
    ['/api/group?by=actor&limit=1e3', 'limit'],
    ['/api/timeseries?bucket=minute', 'bucket'],
    ['/api/timeseries?from=2024-01-01T00:00:00Z&bucket=hour', 'bucket'],
    ['/api/interceptions?limit=501', 'limit'],
    ['/api/interceptions?cursor=%00', 'cursor'],
    ['/api/interceptions/%3Cscript%3E', 'id'],
    ['/api/interceptions/%E0%A4%A', ''],
    ['/api/interceptions/i-bob-1?range=24h', 'range'],
    ['/api/keys?x=1', 'x'],
  ])('%s', async (path) => {
    const res = await adminFetch(srv.url + path);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expectOpenAIError(await res.json());
  });

  test.each([
    ['not a cursor at all', 'not-a-cursor'],
    ['base64url of other JSON', Buffer.from('{"startedAt":1}').toString('base64url')],
  ])('a cursor the store did not make (%s) is a 400 naming `cursor`, not a store failure', async (_label, cursor) => {
    const { res, body } = await getJson(`/api/interceptions?cursor=${encodeURIComponent(cursor)}`);
    expect(res.status).toBe(400);
    expectOpenAIError(body);
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_parameter' });
    expect(body.error.message).toContain('cursor');
    expect(srv.logs.lines.some((l) => l.includes('the usage store failed'))).toBe(false);
  });

  test('a failing store is a 503 with no detail, logged', async () => {
    srv.query.failWith = new Error('connection refused to db at 10.0.0.5');
    const { res, body } = await getJson('/api/totals');
    expect(res.status).toBe(503);
    expectOpenAIError(body);
    expect(JSON.stringify(body)).not.toContain('10.0.0.5');
    expect(srv.logs.lines.some((l) => l.includes('10.0.0.5'))).toBe(true);
  });
});

describe('methods, paths and headers', () => {
  test.each(['POST', 'PUT', 'DELETE', 'PATCH'])('%s is a 405 on the page, an asset and the API', async (method) => {
    for (const path of ['/', '/assets/dashboard.js', '/api/totals', '/api/interceptions/i-bob-1', '/api/keys']) {
      const res = await adminFetch(srv.url + path, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
      expectOpenAIError(await res.json());
    }
    expect(srv.query.calls).toHaveLength(0);
  });

  test('HEAD answers like GET, without a body', async () => {
    const res = await adminFetch(srv.url + '/api/totals', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  test('unknown paths are a 404 of the dashboard', async () => {
    const res = await adminFetch(srv.url + '/api/nope');
    expect(res.status).toBe(404);
    expectOpenAIError(await res.json());
  });

  test('security headers on every response, no-store on the API', async () => {
    for (const [path, status] of [['/', 200], ['/assets/chart.umd.min.js', 200], ['/api/totals', 200], ['/api/totals?range=x', 400], ['/api/nope', 404]] as const) {
      const res = await adminFetch(srv.url + path);
      expect(res.status).toBe(status);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      if (path.startsWith('/api')) expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  test('the host auth in front of the router applies', async () => {
    expect((await fetch(srv.url + '/api/totals')).status).toBe(401);
  });
});

describe('page and assets', () => {
  test('the page has no inline script, no external URL, and a relative asset base', async () => {
    const res = await adminFetch(srv.url + '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).toContain('src="assets/chart.umd.min.js"');
    for (const asset of ['/assets/dashboard.js', '/assets/dashboard.css']) {
      const text = await (await adminFetch(srv.url + asset)).text();
      expect(text).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
      expect(text).not.toContain('innerHTML');
    }
  });

  test('without a trailing slash the page redirects to itself with one', async () => {
    const res = await adminFetch(srv.url);
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('./ai/');
    expect(new URL(res.headers.get('location')!, srv.url).href).toBe(srv.url + '/');
  });

  test('Chart.js is served from the installed package as JavaScript', async () => {
    const res = await adminFetch(srv.url + '/assets/chart.umd.min.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('Chart.js v4.6.1');
    expect(text.length).toBeGreaterThan(100_000);
  });

  test('basePath makes asset URLs absolute; the title is escaped', async () => {
    const other = await startDashboard({ options: { basePath: '/admin/ai', title: 'Usage <b>& co</b>' } });
    try {
      const res = await adminFetch(other.url);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('src="/admin/ai/assets/dashboard.js"');
      expect(html).toContain('<title>Usage &lt;b&gt;&amp; co&lt;/b&gt;</title>');
    } finally { await other.close(); }
  });
});
