/** Hostile clients on embeddings, legacy completions and Azure deployment paths: odd bodies, odd models, odd credentials. */
import { openaiCompatibleProvider, openaiProvider } from '../../lib';
import { bridgeSuite, eventually } from '../helpers/gateway';
import { rawHttp } from '../helpers/raw-http';

const KEY = 'sk-hostile-client-key-00000000000001';
const AZ_KEY = 'az-hostile-pool-key-00000000000000002';
const suite = bridgeSuite((url) => ({
  providers: [
    openaiProvider({ baseURL: url, keys: [KEY] }),
    openaiCompatibleProvider({ name: 'azure', baseURL: new URL(url).origin, keys: [AZ_KEY], azure: { apiVersion: '2024-10-21', deployments: { 'gpt-4o': 'prod-4o' } } }),
    openaiCompatibleProvider({ name: 'azure-byok', baseURL: new URL(url).origin, keys: [AZ_KEY], byok: true, azure: { apiVersion: '2024-10-21' } }),
  ],
  maxBodyBytes: 4 * 1024 * 1024,
}));
const ALICE = { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' };

beforeEach(() => {
  suite.upstream.behaviour = (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url.includes('embeddings')) res.end('{"object":"list","data":[],"model":"m","usage":{"prompt_tokens":2,"total_tokens":2}}');
    else res.end('{"id":"x","object":"chat.completion","model":"m","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}');
  };
});

async function post(path: string, body: string | Buffer, headers: Record<string, string> = ALICE) {
  const before = suite.upstream.requests.length;
  const res = await fetch(`${suite.gw.url}${path}`, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json().catch(() => undefined)) as any, sent: suite.upstream.requests.slice(before) };
}

describe('bodies', () => {
  test.each([
    ['not JSON', 'model=text-embedding-3-small&input=hi'],
    ['a JSON array', '[{"model":"m","input":"hi"}]'],
    ['JSON null', 'null'],
    ['truncated JSON', '{"model":"m","input":"hi"'],
    ['a model that is a number', '{"model":5,"input":"hi"}'],
    ['an input that is an object', '{"model":"m","input":{"text":"hi"}}'],
    ['stream: true', '{"model":"m","input":"hi","stream":true}'],
  ])('embeddings, %s: a 400 in OpenAI\'s shape, nothing upstream, nothing recorded as completed', async (_what, body) => {
    const { status, json, sent } = await post('/openai/v1/embeddings', body);
    expect({ status, sent: sent.length }).toEqual({ status: 400, sent: 0 });
    expect(Object.keys(json.error).sort()).toEqual(['code', 'message', 'type']);
    expect(suite.gw.recorder.interceptionEnds.filter((e) => e.status === 'completed')).toHaveLength(0);
  });

  test('nested token arrays, huge numbers and a 3 MiB string go up byte for byte; a batch records no prompt', async () => {
    const bodies = [
      '{"model":"text-embedding-3-small","input":[[1,2,3],[4,5],[]]}',
      '{"model":"text-embedding-3-small","input":[1e308,-0,12345678901234567890123,0.1e-400],"dimensions":1e999}',
      JSON.stringify({ model: 'text-embedding-3-small', input: 'x'.repeat(3 * 1024 * 1024) }),
      JSON.stringify({ model: 'text-embedding-3-small', input: Array.from({ length: 100_000 }, (_, i) => i) }),
    ];
    for (const body of bodies) {
      const { status, sent } = await post('/openai/v1/embeddings', body);
      expect(status).toBe(200);
      expect(sent).toHaveLength(1);
      expect(sent[0].body).toBe(body);
    }
    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(4));
    // Only the one text is a prompt, capped as every recorded text is.
    expect(suite.gw.recorder.promptUsages).toHaveLength(1);
    expect(suite.gw.recorder.promptUsages[0].prompt.length).toBeLessThan(3 * 1024 * 1024);
  });

  test('a body over maxBodyBytes is a 413, nothing upstream', async () => {
    const { status, sent } = await post('/openai/v1/completions', JSON.stringify({ model: 'm', prompt: 'x'.repeat(5 * 1024 * 1024) }));
    expect({ status, sent: sent.length }).toEqual({ status: 413, sent: 0 });
  });
});

describe('models that look like paths', () => {
  const models = ['a/b', '../../v1/files', '..', '.', '%2e%2e', 'a%2fb', '..%2f..%2ffiles', 'ｆｉｌｅｓ／．．', 'é\u0000\u202e', 'x?y#z'];

  test.each(models)('OpenAI embeddings and completions with model %j: the path stays the route\'s', async (model) => {
    for (const route of ['/embeddings', '/completions']) {
      const body = JSON.stringify({ model, input: 'hi', prompt: 'hi' });
      const { sent } = await post(`/openai/v1${route}`, body);
      expect(sent.map((r) => r.url)).toEqual([`/v1${route}`]);
    }
  });

  test.each(models)('Azure chat with model %j: one encoded deployment segment, or refused; never another path', async (model) => {
    const { status, sent } = await post('/azure/v1/chat/completions', JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }));
    if (sent.length === 0) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      return;
    }
    const url = new URL(sent[0].url, 'http://x');
    const segments = url.pathname.split('/');
    expect(segments.slice(0, 3)).toEqual(['', 'openai', 'deployments']);
    expect(segments.slice(4)).toEqual(['chat', 'completions']);
    expect(decodeURIComponent(segments[3])).toBe(model);
    expect(['.', '..'].includes(decodeURIComponent(segments[3]))).toBe(false);
    expect(url.search).toBe('?api-version=2024-10-21');
  });

  test('Azure: a client\'s own api-version (twice, encoded, odd-cased) is replaced by the configured one', async () => {
    const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    const { sent } = await post('/azure/v1/chat/completions?api-version=2099-01-01&api-version=x&api%2Dversion=y&API-Version=z&foo=1', body);
    expect(sent).toHaveLength(1);
    const params = new URL(sent[0].url, 'http://x').searchParams;
    // Azure reads query names decoded and without regard to case.
    expect([...params].filter(([k]) => k.toLowerCase() === 'api-version')).toEqual([['api-version', '2024-10-21']]);
    expect(params.get('foo')).toBe('1');
    expect(sent[0].url.startsWith('/openai/deployments/prod-4o/chat/completions?')).toBe(true);
  });
});

describe('credential headers', () => {
  const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });

  test('pool keys: a client\'s Api-Key, api-key twice, Authorization twice and x-api-key never reach the upstream', async () => {
    const url = new URL(`${suite.gw.url}/azure/v1/chat/completions`);
    const raw = await rawHttp(url.href, [[
      `POST ${url.pathname} HTTP/1.1`, `Host: ${url.host}`, 'Connection: close', 'x-user-token: user-token-alice',
      'Api-Key: client-key-1', 'api-key: client-key-2', 'Authorization: Bearer client-bearer-1', 'authorization: Bearer client-bearer-2',
      'x-api-key: client-x', 'content-type: application/json', `content-length: ${body.length}`, '', body,
    ].join('\r\n')]);
    expect(raw.status).toBe(200);
    const up = suite.upstream.requests.at(-1)!;
    expect(up.headers['api-key']).toBe(AZ_KEY);
    expect(up.headers.authorization).toBeUndefined();
    expect(up.headers['x-api-key']).toBeUndefined();
    expect(JSON.stringify(up.headers)).not.toMatch(/client-(key|bearer|x)/);
  });

  test('BYOK: an odd-cased Api-Key is the client\'s key; two of them go up as one value, never with the pool key', async () => {
    const url = new URL(`${suite.gw.url}/azure-byok/v1/chat/completions`);
    const raw = await rawHttp(url.href, [[
      `POST ${url.pathname} HTTP/1.1`, `Host: ${url.host}`, 'Connection: close', 'x-user-token: user-token-alice',
      'Api-Key: client-key-1', 'API-KEY: client-key-2', 'content-type: application/json', `content-length: ${body.length}`, '', body,
    ].join('\r\n')]);
    expect(raw.status).toBe(200);
    const up = suite.upstream.requests.at(-1)!;
    expect(typeof up.headers['api-key']).toBe('string');
    expect(up.headers['api-key']).not.toContain(AZ_KEY);
    expect(up.headers['api-key']).toContain('client-key-1');
    await eventually(() => expect(suite.gw.recorder.interceptions).toHaveLength(1));
    expect(suite.gw.recorder.interceptions[0].credentialKind).toBe('byok');
    expect(JSON.stringify(suite.gw.recorder.interceptions)).not.toContain('client-key-1');
  });
});
