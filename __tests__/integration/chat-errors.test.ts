import http from 'node:http';
import OpenAI from 'openai';
import { openaiProvider } from '../../lib';
import { startFakeOpenAI } from '../helpers/fake-openai';
import { bridgeSuite, startGateway, eventually } from '../helpers/gateway';

const KEY = 'sk-pool-key-aaaaaaaaaaaaaaaa1234';
const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ keys: [KEY], baseURL: url })], maxBodyBytes: 1024 * 1024 }));

function post(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return fetch(`${suite.gw.url}/openai${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice', ...headers },
    body,
  });
}

function expectOpenAIError(json: any, type: string) {
  expect(Object.keys(json)).toEqual(['error']);
  expect(Object.keys(json.error).sort()).toEqual(['code', 'message', 'type']);
  expect(json.error.type).toBe(type);
  expect(typeof json.error.message).toBe('string');
}

const VALID = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

describe('gateway errors are OpenAI-shaped and nothing goes upstream', () => {
  test('no actor → 401, nothing upstream, nothing recorded', async () => {
    const res = await fetch(`${suite.gw.url}/openai/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-user' }, body: VALID });
    expect(res.status).toBe(401);
    expectOpenAIError(await res.json(), 'authentication_error');
    const sdk = new OpenAI({ apiKey: 'nobody', baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0 });
    await expect(sdk.chat.completions.create({ model: 'm', messages: [] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect(suite.upstream.requests).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(suite.gw.recorder.interceptions).toHaveLength(0);
  });

  test('malformed JSON → 400', async () => {
    const res = await post('/v1/chat/completions', '{"model": "x", ');
    expect(res.status).toBe(400);
    expectOpenAIError(await res.json(), 'invalid_request_error');
    expect(suite.upstream.requests).toHaveLength(0);
  });

  test.each([
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['a number', '42'],
    ['model of the wrong type', JSON.stringify({ model: 7, messages: [] })],
    ['messages of the wrong type', JSON.stringify({ model: 'm', messages: 'hi' })],
    ['stream of the wrong type', JSON.stringify({ model: 'm', messages: [], stream: 'yes' })],
  ])('%s → 400', async (_name, body) => {
    const res = await post('/v1/chat/completions', body);
    expect(res.status).toBe(400);
    expectOpenAIError(await res.json(), 'invalid_request_error');
    expect(suite.upstream.requests).toHaveLength(0);
  });

  test('body over the limit → 413', async () => {
    const big = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(1024 * 1024) }] });
    const res = await post('/v1/chat/completions', big);
    expect(res.status).toBe(413);
    expectOpenAIError(await res.json(), 'invalid_request_error');
    expect(suite.upstream.requests).toHaveLength(0);
  });

  test('body over the limit without content-length (chunked) → 413', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${suite.gw.url}/openai/v1/chat/completions`);
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write('x'.repeat(64 * 1024));
      req.end();
    });
    expect(status).toBe(413);
    expect(suite.upstream.requests).toHaveLength(0);
  });

  test.each([
    ['GET', '/v1/chat/completions'],
    // (POST /v1/embeddings is bridged now; image generation is a route the bridge does not serve.)
    ['POST', '/v1/images/generations'],
    ['DELETE', '/v1/models/gpt-4o'],
    ['POST', '/v1/models'],
    ['GET', '/v1/files'],
  ])('%s %s is not allowlisted → 404', async (method, path) => {
    const res = await fetch(`${suite.gw.url}/openai${path}`, { method, headers: { 'x-user-token': 'user-token-alice' } });
    expect(res.status).toBe(404);
    expectOpenAIError(await res.json(), 'invalid_request_error');
    expect(suite.upstream.requests).toHaveLength(0);
  });

  test.each([
    '/v1/models/../files',
    '/v1/models/%2e%2e/files',
    '/v1/models/%2E%2E%2Ffiles',
    '/v1/./models',
    '/v1/models/a%2fb',
  ])('path traversal %s → 404', async (path) => {
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(suite.gw.url);
      // http.request keeps the path exactly as written (fetch would normalise dot segments).
      const req = http.request({ host: url.hostname, port: url.port, path: `/ai/openai${path}`, method: 'GET', headers: { 'x-user-token': 'user-token-alice' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(404);
    expect(suite.upstream.requests).toHaveLength(0);
  });
});

describe('upstream errors are relayed', () => {
  test.each([400, 403, 404, 422, 500, 503])('upstream %i: status, body and headers unchanged', async (status) => {
    const body = JSON.stringify({ error: { message: `upstream says ${status}`, type: 'whatever', param: null, code: 'c' } });
    suite.upstream.behaviour = (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_err', 'retry-after': '7' });
      res.end(body);
    };
    const res = await post('/v1/chat/completions', VALID);
    expect(res.status).toBe(status);
    expect(await res.text()).toBe(body);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('x-request-id')).toBe('req_err');
    expect(suite.upstream.requests).toHaveLength(1);
    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
    expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: status, errorMessage: `upstream says ${status}` });
  });

  test('errorType follows the status', async () => {
    const cases: Array<[number, string]> = [[400, 'bad_request'], [403, 'unauthorized'], [503, 'overloaded'], [500, 'server_error'], [408, 'timeout']];
    for (const [status, errorType] of cases) {
      suite.gw.recorder.clear();
      suite.upstream.behaviour = (_req, res) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end('{}');
      };
      await (await post('/v1/chat/completions', VALID)).text();
      await eventually(() => expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ errorType }));
    }
  });

  test('streaming request answered with an upstream error JSON → relayed as JSON with its status', async () => {
    suite.upstream.behaviour = (_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"bad","type":"invalid_request_error","param":null,"code":null}}');
    };
    const res = await post('/v1/chat/completions', JSON.stringify({ model: 'm', messages: [], stream: true }));
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('{"error":{"message":"bad","type":"invalid_request_error","param":null,"code":null}}');
  });

  test('upstream unreachable → 502 OpenAI-shaped, recorded failed', async () => {
    const dead = await startFakeOpenAI();
    await dead.close();
    const local = await startGateway({ providers: [openaiProvider({ keys: [KEY], baseURL: dead.url })] });
    try {
      const res = await fetch(`${local.url}/openai/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' }, body: VALID });
      expect(res.status).toBe(502);
      expectOpenAIError(await res.json(), 'server_error');
      await eventually(() => expect(local.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', errorType: 'server_error', httpStatus: 502 }));
    } finally {
      await local.close();
    }
  });

  test('client gone while the upstream is still thinking (blocking) → upstream aborted, ended aborted', async () => {
    suite.upstream.behaviour = () => undefined; // never answers
    const controller = new AbortController();
    const req = fetch(`${suite.gw.url}/openai/v1/chat/completions`, { method: 'POST', signal: controller.signal, headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' }, body: VALID }).catch(() => 'aborted');
    await eventually(() => expect(suite.upstream.requests).toHaveLength(1));
    controller.abort();
    expect(await req).toBe('aborted');
    await suite.upstream.requests[0].closedEarly;
    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toEqual([expect.objectContaining({ status: 'aborted', errorType: 'aborted' })]));
  });
});

describe('recording never changes what the client gets', () => {
  test('a throwing recorder is logged, and the response is unchanged', async () => {
    const throwing = {
      recordInterception: () => { throw new Error('db down'); },
      recordInterceptionEnded: () => Promise.reject(new Error('db down')),
      recordTokenUsage: () => { throw new Error('db down'); },
      recordPromptUsage: () => { throw new Error('db down'); },
      recordToolUsage: () => { throw new Error('db down'); },
    };
    const local = await startGateway({ providers: [openaiProvider({ keys: [KEY], baseURL: suite.upstream.url })], recorder: throwing as any });
    try {
      const res = await fetch(`${local.url}/openai/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' }, body: VALID });
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).choices[0].message.content).toBe('Hello there!');
      await eventually(() => expect(local.logs.lines.filter((l) => l.includes('recorder call failed')).length).toBe(4));
    } finally {
      await local.close();
    }
  });

  test('a slow recorder does not delay the response: it arrives well within the recorder delay, the records after it', async () => {
    const RECORDER_DELAY_MS = 600;
    const RESPONSE_BOUND_MS = 300;
    const done: Array<{ call: string; at: number }> = [];
    const slowly = (call: string) => () => new Promise<void>((resolve) => setTimeout(() => {
      done.push({ call, at: performance.now() });
      resolve();
    }, RECORDER_DELAY_MS));
    const slow = {
      recordInterception: slowly('start'), recordInterceptionEnded: slowly('end'), recordTokenUsage: slowly('tokens'),
      recordPromptUsage: slowly('prompt'), recordToolUsage: slowly('tool'),
    };
    const local = await startGateway({ providers: [openaiProvider({ keys: [KEY], baseURL: suite.upstream.url })], recorder: slow as any });
    try {
      const began = performance.now();
      const res = await fetch(`${local.url}/openai/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' }, body: VALID });
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).choices[0].message.content).toBe('Hello there!');
      const answered = performance.now();
      expect(answered - began).toBeLessThan(RESPONSE_BOUND_MS);
      expect(done).toEqual([]);
      // In order, one after the other: start, prompt, tokens, end.
      await eventually(() => expect(done.map((d) => d.call)).toEqual(['start', 'prompt', 'tokens', 'end']), 10_000);
      for (const d of done) expect(d.at).toBeGreaterThan(answered);
    } finally {
      await local.close();
    }
  });
});
