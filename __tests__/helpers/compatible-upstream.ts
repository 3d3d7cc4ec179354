/**
 * A fake OpenAI-compatible server for the compatible provider's tests: answers chat completions and Responses under
 * any path prefix (Azure's `/openai/deployments/…`, `/openai/v1/…`, OpenRouter's `/api/v1/…`), with or without usage,
 * with OpenRouter's SSE comment lines, and refusing chosen keys the way Azure does.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CompatibleRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
}

/** What the server does; tests change it between requests. */
export interface CompatibleBehaviour {
  /** Report usage: in a blocking answer, and as a stream's last chunk when `stream_options.include_usage` asks. */
  usage: boolean;
  /** Write `: OPENROUTER PROCESSING` comment lines before and between stream chunks. */
  comments: boolean;
  /** Keys (from `api-key` or a bearer token) answered with this status and Azure's error body. */
  refuse: Record<string, number>;
  /** A refusal's message quotes the key it was sent (as some servers do). */
  echoKey: boolean;
  /** Open streams with Azure's content-filter chunk (empty `id` and `choices`, `prompt_filter_results`). */
  filterChunk: boolean;
}

export interface CompatibleUpstream {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  requests: CompatibleRequest[];
  behaviour: CompatibleBehaviour;
  reset(): void;
  close(): Promise<void>;
}

export const COMMENT = ': OPENROUTER PROCESSING\n\n';
export const USAGE = { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 };
const CREATED = 1_760_000_000;
export const FILTER_CHUNK = JSON.stringify({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: { hate: { filtered: false, severity: 'safe' } } }] });

function keyOf(headers: http.IncomingHttpHeaders): string | undefined {
  if (typeof headers['api-key'] === 'string') return headers['api-key'];
  const auth = headers.authorization;
  return typeof auth === 'string' ? auth.replace(/^Bearer /i, '') : undefined;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function chunk(model: string, delta: Record<string, unknown>, finish: string | null = null): string {
  return JSON.stringify({ id: 'chatcmpl-compat', object: 'chat.completion.chunk', created: CREATED, model, choices: [{ index: 0, delta, finish_reason: finish }] });
}

function chat(req: CompatibleRequest, res: http.ServerResponse, b: CompatibleBehaviour): void {
  const model = String(req.json?.model ?? '');
  if (req.json?.stream !== true) {
    const answer: Record<string, unknown> = {
      id: 'chatcmpl-compat', object: 'chat.completion', created: CREATED, model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there.' }, finish_reason: 'stop' }],
    };
    if (b.usage) answer.usage = USAGE;
    return sendJson(res, 200, answer);
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const frames = [chunk(model, { role: 'assistant', content: '' }), chunk(model, { content: 'Hello' }), chunk(model, { content: ' there.' }), chunk(model, {}, 'stop')];
  if (b.usage && req.json?.stream_options?.include_usage === true) {
    frames.push(JSON.stringify({ id: 'chatcmpl-compat', object: 'chat.completion.chunk', created: CREATED, model, choices: [], usage: USAGE }));
  }
  if (b.filterChunk) frames.unshift(FILTER_CHUNK);
  if (b.comments) res.write(COMMENT);
  for (const frame of frames) {
    res.write(`data: ${frame}\n\n`);
    if (b.comments) res.write(COMMENT);
  }
  res.end('data: [DONE]\n\n');
}

function responses(req: CompatibleRequest, res: http.ServerResponse, b: CompatibleBehaviour): void {
  const answer: Record<string, unknown> = {
    id: 'resp_compat1', object: 'response', created_at: CREATED, status: 'completed', model: String(req.json?.model ?? ''),
    output: [{ type: 'message', id: 'msg_compat1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hi from responses.', annotations: [] }] }],
  };
  if (b.usage) answer.usage = { input_tokens: 5, output_tokens: 2, total_tokens: 7 };
  sendJson(res, 200, answer);
}

function answer(req: CompatibleRequest, res: http.ServerResponse, b: CompatibleBehaviour): void {
  const key = keyOf(req.headers);
  const refused = key === undefined ? undefined : b.refuse[key];
  if (refused !== undefined) {
    const message = b.echoKey ? `Access denied for key ${key}.` : 'Access denied due to invalid subscription key or wrong API endpoint.';
    return sendJson(res, refused, { error: { code: String(refused), message } });
  }
  if (req.method === 'POST' && req.path.endsWith('/chat/completions')) return chat(req, res, b);
  if (req.method === 'POST' && req.path.endsWith('/responses')) return responses(req, res, b);
  if (req.method === 'GET' && req.path.endsWith('/models')) return sendJson(res, 200, { object: 'list', data: [{ id: 'gpt-4o', object: 'model' }] });
  sendJson(res, 404, { error: { code: '404', message: 'Resource not found' } });
}

const fresh = (): CompatibleBehaviour => ({ usage: true, comments: false, refuse: {}, echoKey: false, filterChunk: false });

/** Starts the server on 127.0.0.1, port 0. */
export async function startCompatibleUpstream(): Promise<CompatibleUpstream> {
  const upstream = { origin: '', requests: [] as CompatibleRequest[], behaviour: fresh() } as CompatibleUpstream;
  upstream.reset = () => {
    upstream.requests.length = 0;
    upstream.behaviour = fresh();
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://fake');
      let json: unknown;
      try {
        json = body === '' ? undefined : JSON.parse(body);
      } catch {
        json = undefined;
      }
      const received: CompatibleRequest = { method: req.method ?? '', url: req.url ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body, json };
      upstream.requests.push(received);
      answer(received, res, upstream.behaviour);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  upstream.close = () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return upstream;
}
