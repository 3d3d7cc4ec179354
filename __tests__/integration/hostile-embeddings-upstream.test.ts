/** Embeddings and legacy completions against a hostile upstream: absurd usage, keys quoted back, non-JSON, lies and endless bodies. */
import { Registry } from 'prom-client';
import { openaiProvider } from '../../lib';
import { bridgeSuite, eventually } from '../helpers/gateway';
import { parsePromText } from '../helpers/prom-text';

const KEY = 'sk-hostile-embed-key-0000000000000001';
const registry = new Registry();
const budgetRegistry = new Registry();
const suite = bridgeSuite((url) => ({
  providers: [openaiProvider({ baseURL: url, keys: [KEY] })],
  metrics: { registry },
  maxResponseBytes: 64 * 1024,
}));

const ALICE = { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' };
const embedding = JSON.stringify({ model: 'text-embedding-3-small', input: 'hello' });
const completion = JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'hello' });

function answerRaw(text: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  suite.upstream.behaviour = (_req, res) => {
    res.writeHead(200, headers);
    res.end(text);
  };
}

async function post(path: string, body: string) {
  const res = await fetch(`${suite.gw.url}/openai/v1${path}`, { method: 'POST', headers: ALICE, body });
  return { status: res.status, text: await res.text() };
}

async function tokenCounters(): Promise<number[]> {
  const text = await registry.metrics();
  return parsePromText(text).samples.filter((s) => s.name === 'aibridge_tokens_total').map((s) => s.value);
}

describe('absurd usage from a 200', () => {
  // JSON has no NaN: 1e400 parses to Infinity; the others are finite but impossible.
  const absurd = [
    '{"object":"list","data":[],"model":"m","usage":{"prompt_tokens":-1000000,"total_tokens":-1000000}}',
    '{"object":"list","data":[],"model":"m","usage":{"prompt_tokens":5,"total_tokens":1e400,"prompt_tokens_details":{"cached_tokens":-1000000000}}}',
    '{"object":"list","data":[],"model":"m","usage":{"prompt_tokens":1e300,"completion_tokens":-1e300,"total_tokens":"12"}}',
  ];

  test.each(absurd.map((a, i) => [i, a]))('embeddings #%s: records, metrics and budgets stay whole, non-negative and bounded', async (_i, answer) => {
    answerRaw(answer as string);
    const { status, text } = await post('/embeddings', embedding);
    expect({ status, text }).toEqual({ status: 200, text: answer });
    await eventually(() => expect(suite.gw.recorder.tokenUsages).toHaveLength(1));
    const usage = suite.gw.recorder.tokenUsages[0];
    for (const n of [usage.input, usage.output, usage.cacheRead, usage.cacheWrite]) {
      expect(Number.isSafeInteger(n) && n >= 0).toBe(true);
    }
    // The input is never inflated by a negative cached count.
    if ((answer as string).includes('"prompt_tokens":5')) expect(usage.input).toBe(5);
    for (const v of Object.values(usage.extra ?? {})) expect(Number.isFinite(v) && v >= 0).toBe(true);
    for (const v of await tokenCounters()) expect(Number.isFinite(v) && v >= 0).toBe(true);
  });
});

describe('what the upstream quotes back', () => {
  test('a key quoted in a 200 answer and in an error is redacted, on both routes', async () => {
    for (const path of ['/embeddings', '/completions']) {
      answerRaw(JSON.stringify({ object: 'list', data: [], model: `m ${KEY}`, usage: { prompt_tokens: 1, total_tokens: 1 } }));
      const ok = await post(path, path === '/embeddings' ? embedding : completion);
      expect(ok.status).toBe(200);
      expect(ok.text).not.toContain(KEY);
      suite.upstream.behaviour = (_req, res) => {
        res.writeHead(400, { 'content-type': 'application/json', 'x-echo': KEY });
        res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}`, type: 'invalid_request_error', code: null } }));
      };
      const failed = await fetch(`${suite.gw.url}/openai/v1${path}`, { method: 'POST', headers: ALICE, body: embedding });
      expect(failed.headers.get('x-echo') ?? '').not.toContain(KEY);
      expect(await failed.text()).not.toContain(KEY);
    }
    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(4));
    expect(JSON.stringify(suite.gw.recorder.interceptionEnds)).not.toContain(KEY);
    expect(suite.gw.logs.lines.join('\n')).not.toContain(KEY);
  });

  test('a 200 that is not JSON is relayed as it came and recorded completed, with no usage', async () => {
    answerRaw('<html>gateway says hi</html>', { 'content-type': 'text/html' });
    const { status, text } = await post('/embeddings', embedding);
    expect({ status, text }).toEqual({ status: 200, text: '<html>gateway says hi</html>' });
    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
    expect(suite.gw.recorder.tokenUsages).toHaveLength(0);
  });
});

describe('bodies that lie or never end', () => {
  test('an endless 200 is cut at maxResponseBytes: a 502 in OpenAI\'s shape, recorded failed', async () => {
    suite.upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      const more = (): void => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on('drain', more);
      more();
    };
    const res = await fetch(`${suite.gw.url}/openai/v1/embeddings`, { method: 'POST', headers: ALICE, body: embedding });
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(Object.keys(((await res.json()) as any).error).sort()).toEqual(['code', 'message', 'type']);
    await eventually(() => expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed' }));
  });

  test('a Content-Length longer than the body: never a truncated 200', async () => {
    suite.upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"object":"list","data":[]');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const res = await fetch(`${suite.gw.url}/openai/v1/embeddings`, { method: 'POST', headers: ALICE, body: embedding }).then(
      async (r) => ({ status: r.status, text: await r.text().catch(() => 'cut') }), () => ({ status: 0, text: 'cut' }));
    expect(res.status === 200 && res.text !== 'cut').toBe(false);
    await eventually(() => expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed' }));
  });

  test('a completions stream that never ends: the client leaving aborts the upstream, the interception ends aborted', async () => {
    let upstreamClosed = false;
    suite.upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = 'data: {"id":"cmpl-x","object":"text_completion","model":"m","choices":[{"text":"la ","index":0,"finish_reason":null}]}\n\n';
      const timer = setInterval(() => res.write(chunk), 10);
      res.on('close', () => {
        clearInterval(timer);
        upstreamClosed = true;
      });
    };
    const abort = new AbortController();
    const res = await fetch(`${suite.gw.url}/openai/v1/completions`, {
      method: 'POST', headers: ALICE, body: JSON.stringify({ model: 'm', prompt: 'sing', stream: true }), signal: abort.signal,
    });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('la ')) text += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    await eventually(() => expect(upstreamClosed).toBe(true));
    await eventually(() => expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'aborted' }));
  });

  test('a Content-Length shorter than the body on passthrough: the client gets the declared bytes at most', async () => {
    suite.upstream.behaviour = (_req, res) => {
      res.socket!.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10\r\n\r\n{"object":"list","data":[]}HTTP/1.1 200 OK\r\n\r\n');
      res.socket!.end();
    };
    const res = await fetch(`${suite.gw.url}/openai/v1/models`, { headers: ALICE }).then(async (r) => ({ status: r.status, text: await r.text().catch(() => 'cut') }), () => ({ status: 0, text: 'cut' }));
    expect(res.text.length).toBeLessThanOrEqual(10);
  });

  test('a Set-Cookie from the upstream never reaches the client', async () => {
    answerRaw('{"object":"list","data":[],"model":"m"}', { 'content-type': 'application/json', 'set-cookie': 'session=upstream; Path=/' });
    const res = await fetch(`${suite.gw.url}/openai/v1/embeddings`, { method: 'POST', headers: ALICE, body: embedding });
    expect(res.headers.get('set-cookie')).toBeNull();
    const models = await (async () => {
      suite.upstream.behaviour = (_req, r) => {
        r.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'session=upstream; Path=/' });
        r.end('{"object":"list","data":[]}');
      };
      return fetch(`${suite.gw.url}/openai/v1/models`, { headers: ALICE });
    })();
    expect(models.status).toBe(200);
    expect(models.headers.get('set-cookie')).toBeNull();
  });
});

describe('budgets', () => {
  const limited = bridgeSuite((url) => ({
    providers: [openaiProvider({ baseURL: url, keys: [KEY] })], metrics: { registry: budgetRegistry },
    limits: [{ name: 'tokens', per: 'actor', tokens: { points: 1_000_000, windowMs: 60_000 } }],
  }));
  const answer = (text: string) => {
    limited.upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(text);
    };
  };
  const send = () => fetch(`${limited.gw.url}/openai/v1/completions`, { method: 'POST', headers: ALICE, body: completion }).then((r) => r.text());
  const counted = async () => parsePromText(await budgetRegistry.metrics()).samples.filter((s) => s.name === 'aibridge_tokens_total').reduce((a, s) => a + s.value, 0);

  test('a completion whose usage is negative neither lowers the token counters nor the budget spent', async () => {
    answer('{"id":"cmpl-1","object":"text_completion","model":"m","choices":[{"text":"hi","index":0,"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}');
    await send();
    await eventually(() => expect(limited.gw.recorder.tokenUsages).toHaveLength(1));
    const before = await counted();
    const [spent] = await limited.gw.bridge.usageOf('alice');
    expect(spent.used).toBe(7);
    answer('{"id":"cmpl-2","object":"text_completion","model":"m","choices":[],"usage":{"prompt_tokens":-300,"completion_tokens":-400,"total_tokens":-700,"prompt_tokens_details":{"cached_tokens":-100000}}}');
    await send();
    await eventually(() => expect(limited.gw.recorder.tokenUsages).toHaveLength(2));
    expect(await counted()).toBe(before);
    const [row] = await limited.gw.bridge.usageOf('alice');
    expect(row.used).toBe(7);
  });

  test('a usage past any safe integer is counted as the largest one, never as Infinity or NaN', async () => {
    answer('{"id":"cmpl-3","object":"text_completion","model":"m","choices":[],"usage":{"prompt_tokens":1e400,"completion_tokens":1e300}}');
    const text = await send();
    expect(text).toContain('cmpl-3');
    await eventually(() => expect(limited.gw.recorder.tokenUsages).toHaveLength(1));
    expect(Number.isFinite(await counted())).toBe(true);
    const [row] = await limited.gw.bridge.usageOf('alice');
    expect(Number.isFinite(row.used) && Number.isFinite(row.remaining)).toBe(true);
  });
});
