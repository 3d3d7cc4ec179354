/** A fake OpenAI upstream on 127.0.0.1 for tests: scripted answers, per-key behaviour, and a log of what it received. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
  /** Resolves if the client side closed this request's connection before the response finished. */
  closedEarly: Promise<void>;
}

/** What the fake does for one request; return `undefined` to fall through to the default behaviour. */
export type Behaviour = (req: ReceivedRequest, res: http.ServerResponse) => void | 'default' | Promise<void | 'default'>;

export interface FakeUpstream {
  url: string;            // http://127.0.0.1:PORT/v1
  origin: string;
  requests: ReceivedRequest[];
  /** Resolves when the fake sees a client connection close before its response finished. */
  closedEarly: Promise<void>;
  behaviour: Behaviour | undefined;
  close(): Promise<void>;
}

export const COMPLETION_ID = 'chatcmpl-test123';

export function chatCompletion(overrides: Record<string, unknown> = {}) {
  return {
    id: COMPLETION_ID,
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there!', refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: {
      prompt_tokens: 12, completion_tokens: 5, total_tokens: 17,
      prompt_tokens_details: { cached_tokens: 2, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 1, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    system_fingerprint: 'fp_test',
    ...overrides,
  };
}

export function chunk(delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) {
  return { id: COMPLETION_ID, object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o-mini', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra };
}

export const STREAM_USAGE = { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 0 } };

/** The default text stream: role, three words, stop, then usage when asked, then [DONE]. */
export function textStreamEvents(includeUsage: boolean): string[] {
  const usageField = includeUsage ? { usage: null } : {};
  const events = [
    chunk({ role: 'assistant', content: '' }, null, usageField),
    chunk({ content: 'Hello' }, null, usageField),
    chunk({ content: ' wörld' }, null, usageField),
    chunk({ content: ' 👋' }, null, usageField),
    chunk({}, 'stop', usageField),
  ].map((c) => JSON.stringify(c));
  if (includeUsage) events.push(JSON.stringify({ id: COMPLETION_ID, object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o-mini', choices: [], usage: STREAM_USAGE }));
  events.push('[DONE]');
  return events;
}

export function writeSse(res: http.ServerResponse, events: string[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': 'req_stream', 'openai-processing-ms': '7' });
  for (const e of events) res.write(`data: ${e}\n\n`);
  res.end();
}

function defaultBehaviour(req: ReceivedRequest, res: http.ServerResponse): void {
  const path = req.url.split('?')[0];
  if (req.method === 'POST' && path === '/v1/chat/completions') {
    if (req.json?.stream) return writeSse(res, textStreamEvents(req.json?.stream_options?.include_usage === true));
    const body = JSON.stringify(chatCompletion());
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_123', 'openai-processing-ms': '42', 'x-ratelimit-remaining-requests': '99', 'set-cookie': 'upstream=1' });
    res.end(body);
    return;
  }
  if (req.method === 'GET' && path === '/v1/models') {
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_models' });
    res.end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 1, owned_by: 'openai' }] }));
    return;
  }
  const model = /^\/v1\/models\/([^/]+)$/.exec(path);
  if (req.method === 'GET' && model) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: decodeURIComponent(model[1]), object: 'model', created: 1, owned_by: 'openai' }));
    return;
  }
  if (path.startsWith('/v1/conversations')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'conv_1', object: 'conversation', echo: req.body }));
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message: `fake: no route ${req.method} ${path}`, type: 'invalid_request_error', code: null } }));
}

/** Starts the fake on 127.0.0.1, port 0. */
export async function startFakeOpenAI(behaviour?: Behaviour): Promise<FakeUpstream> {
  let markClosedEarly!: () => void;
  const closedEarly = new Promise<void>((resolve) => (markClosedEarly = resolve));
  const fake: FakeUpstream = { url: '', origin: '', requests: [], closedEarly, behaviour, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: any;
      try { json = body ? JSON.parse(body) : undefined; } catch { json = undefined; }
      let markThisClosed!: () => void;
      const thisClosed = new Promise<void>((resolve) => (markThisClosed = resolve));
      const received: ReceivedRequest = { method: req.method!, url: req.url!, headers: req.headers, body, json, closedEarly: thisClosed };
      fake.requests.push(received);
      res.on('close', () => {
        if (res.writableFinished) return;
        markThisClosed();
        markClosedEarly();
      });
      const outcome = fake.behaviour ? await fake.behaviour(received, res) : 'default';
      if (outcome === 'default') defaultBehaviour(received, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.origin = `http://127.0.0.1:${port}`;
  fake.url = `${fake.origin}/v1`;
  fake.close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return fake;
}
