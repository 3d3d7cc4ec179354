/** Hostile upstream answers that quote a key in every shape, on every API and passthrough, and how a client decodes them. */
import { gzipSync } from 'node:zlib';
import type http from 'node:http';
import { anthropicProvider, maskKey, openaiProvider } from '../../lib';
import type { InjectedTool, ToolCallResult, ToolContext, ToolInjector, ToolInjectorAttachContext } from '../../lib/tools/types';
import type { ReceivedRequest } from './fake-openai';
import { bridgeSuite } from './gateway';

export const OPENAI_KEY = 'sk-proj-redact-openai-aaaaaaaaaaaaaaaa1234';
export const ANTHROPIC_KEY = 'sk-ant-redact-anthropic-bbbbbbbbbbbbbb5678';
export const CLIENT_KEY = 'sk-client-own-cccccccccccccccccccc9012';
export const SECRETS = [OPENAI_KEY, ANTHROPIC_KEY, CLIENT_KEY];

/** Every character as a JSON `\uXXXX` escape: what a client's JSON parser turns back into the key. */
export function escaped(text: string): string {
  return [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
}

/** The credential the bridge sent upstream (OpenAI bearer, Anthropic x-api-key). */
export function keyOf(req: ReceivedRequest): string {
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string') return apiKey;
  return String(req.headers.authorization ?? '').replace(/^Bearer /i, '');
}

/** A tool whose failure quotes both providers' pool keys (a tool may know any of them). */
export const LEAKY_TOOL: InjectedTool = { name: 'bmcp_vault_read', description: 'Reads a secret.', inputSchema: { type: 'object' }, serverName: 'vault', serverUrl: 'http://127.0.0.1:1/mcp' };

/** Offers {@link LEAKY_TOOL} unless the model name ends in `-plain` (so one gateway covers both paths). */
export class LeakyInjector implements ToolInjector {
  logger: ToolInjectorAttachContext['logger'] | undefined;
  listFails = false;
  attach(ctx: ToolInjectorAttachContext): void {
    this.logger = ctx.logger;
  }
  listTools(ctx: ToolContext): InjectedTool[] {
    if (this.listFails) throw new Error(`vault login with ${OPENAI_KEY} refused`);
    return ctx.model.endsWith('-plain') ? [] : [LEAKY_TOOL];
  }
  async callTool(): Promise<ToolCallResult> {
    return { isError: true, content: [{ type: 'text', text: `denied: ${OPENAI_KEY} and ${ANTHROPIC_KEY} lack vault access` }] };
  }
}

export const injector = new LeakyInjector();

/** One gateway with an OpenAI, an Anthropic and a BYOK OpenAI provider on one fake upstream, and the leaky tool. */
export function redactionSuite() {
  return bridgeSuite((url) => ({
    providers: [
      openaiProvider({ keys: [OPENAI_KEY], baseURL: url }),
      anthropicProvider({ keys: [ANTHROPIC_KEY], baseURL: url.replace(/\/v1$/, '') }),
      openaiProvider({ name: 'byok', keys: [], byok: true, baseURL: url }),
    ],
    tools: injector,
  }));
}

type Writer = (res: http.ServerResponse, key: string) => void;

const sse = (events: string[], headers: Record<string, string> = {}): Writer => (res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream', ...headers });
  res.end(events.join(''));
};
const json = (status: number, body: (key: string) => string, headers: (key: string) => Record<string, string> = () => ({})): Writer => (res, key) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers(key) });
  res.end(body(key));
};
const gzipped = (status: number, body: (key: string) => string): Writer => (res, key) => {
  res.writeHead(status, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  res.end(gzipSync(body(key)));
};

const openaiError = (message: string) => JSON.stringify({ error: { message, type: 'invalid_request_error', code: 'invalid_api_key' } });
const anthropicError = (message: string) => JSON.stringify({ type: 'error', error: { type: 'authentication_error', message } });
/** A JSON text with `KEY_ESCAPED` replaced by the key written as `\u` escapes (JSON.stringify would double the backslashes). */
const withEscapedKey = (text: string, key: string) => text.replace('KEY_ESCAPED', escaped(key));

/** One hostile answer, and where the client sends the request that meets it. */
export interface Scenario {
  name: string;
  /** Path under the gateway URL. */
  path: string;
  method: 'GET' | 'POST';
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** What the upstream writes, given the key the bridge sent. */
  answer(key: string): Writer;
  /** The key the upstream gets, whose hint the outputs should show. */
  key: string;
  /** Whether the client's view must show the hint (false when the upstream's text never reaches it). */
  clientHint: boolean;
  /** Whether the end record's `errorMessage` must show the hint. */
  recordHint: boolean;
}

const CHAT = (model: string, stream: boolean) => ({ model, stream, messages: [{ role: 'user', content: 'hi' }] });
const RESPONSES = (model: string, stream: boolean) => ({ model, stream, input: 'hi' });
const MESSAGES = (model: string, stream: boolean) => ({ model, stream, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
const ANTHROPIC_HEADERS = { 'anthropic-version': '2023-06-01' };

const chatChunk = (content: string) => `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: null }] })}\n\n`;
const respEvent = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const RESP_CREATED = respEvent('response.created', { sequence_number: 0, response: { id: 'resp_1', object: 'response', status: 'in_progress', output: [] } });
const MSG_START = `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], model: 'claude', usage: { input_tokens: 1, output_tokens: 0 } } })}\n\n`;

/** Stream shapes per API: every event may quote the key, in any shape the observer may or may not recognise. */
function streamShapes(): Array<{ api: 'chat' | 'responses' | 'messages'; name: string; events: (key: string) => string[]; unrecorded?: true }> {
  return [
    { api: 'chat', name: 'data {"error":"…KEY"}', events: (k) => [chatChunk('Hi'), `data: ${JSON.stringify({ error: `Incorrect API key provided: ${k}` })}\n\n`], unrecorded: true },
    { api: 'chat', name: 'event: error with data {"message":"…KEY"}', events: (k) => [chatChunk('Hi'), `event: error\ndata: ${JSON.stringify({ message: `Incorrect API key provided: ${k}` })}\n\n`], unrecorded: true },
    { api: 'chat', name: 'an escaped "\\u0065rror" field name', events: (k) => [chatChunk('Hi'), `data: {"\\u0065rror":{"message":"Incorrect API key provided: ${k}","type":"x","code":null}}\n\n`], unrecorded: true },
    { api: 'chat', name: 'the key written with \\u escapes', events: (k) => [chatChunk('Hi'), withEscapedKey('data: {"error":{"message":"Incorrect API key provided: KEY_ESCAPED","type":"x","code":null}}\n\n', k)] },
    { api: 'chat', name: 'a text delta quoting the key', events: (k) => [chatChunk(`your key is ${k}`), 'data: [DONE]\n\n'] },
    {
      api: 'responses', name: 'error("first"), error("…KEY"), response.failed("…KEY")', events: (k) => [
        RESP_CREATED,
        respEvent('error', { sequence_number: 1, code: null, message: 'first', param: null }),
        respEvent('error', { sequence_number: 2, code: 'invalid_api_key', message: `Incorrect API key provided: ${k}`, param: null }),
        respEvent('response.failed', { sequence_number: 3, response: { id: 'resp_1', object: 'response', status: 'failed', output: [], error: { code: 'server_error', message: `Key ${k} failed` } } }),
      ],
      unrecorded: true, // the end record keeps the first error ("first")
    },
    { api: 'responses', name: 'the key written with \\u escapes', events: (k) => [RESP_CREATED, withEscapedKey('event: error\ndata: {"type":"error","sequence_number":1,"code":null,"message":"Incorrect API key provided: KEY_ESCAPED","param":null}\n\n', k)] },
    {
      api: 'messages', name: 'error("first"), error("…KEY")', events: (k) => [
        MSG_START,
        `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'first' } })}\n\n`,
        `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${k}` } })}\n\n`,
      ],
    },
    { api: 'messages', name: 'the key written with \\u escapes', events: (k) => [MSG_START, withEscapedKey('event: error\ndata: {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key KEY_ESCAPED"}}\n\n', k)] },
  ];
}

const ROUTES = {
  chat: { path: '/openai/v1/chat/completions', body: CHAT, key: OPENAI_KEY, headers: {}, error: openaiError },
  responses: { path: '/openai/v1/responses', body: RESPONSES, key: OPENAI_KEY, headers: {}, error: openaiError },
  messages: { path: '/anthropic/v1/messages', body: MESSAGES, key: ANTHROPIC_KEY, headers: ANTHROPIC_HEADERS, error: anthropicError },
} as const;

/** Every shape of items 7–11 on every API (streamed and blocking, with and without injected tools) and on passthrough. */
export function scenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const [api, route] of Object.entries(ROUTES)) {
    for (const tools of [false, true]) {
      const model = tools ? 'model-tools' : 'model-plain';
      const base = { path: route.path, method: 'POST' as const, headers: route.headers, key: route.key };
      const via = `${api}${tools ? ' with tools' : ''}`;
      for (const shape of streamShapes().filter((s) => s.api === api)) {
        // Shapes the stream observers do not take for an error end as an incomplete stream: no upstream text recorded.
        const recordHint = !shape.name.startsWith('a text delta') && !shape.unrecorded;
        out.push({ ...base, name: `${via}, streamed: ${shape.name}`, body: route.body(model, true), answer: (k) => sse(shape.events(k)), clientHint: true, recordHint });
      }
      out.push({ ...base, name: `${via}, blocking: error body with the key in \\u escapes`, body: route.body(model, false), answer: () => json(403, (k) => withEscapedKey(route.error('Incorrect API key provided: KEY_ESCAPED'), k)), clientHint: true, recordHint: true });
      out.push({ ...base, name: `${via}, blocking: gzip error body quoting the key`, body: route.body(model, false), answer: () => gzipped(403, (k) => route.error(`Incorrect API key provided: ${k}`)), clientHint: true, recordHint: true });
      out.push({ ...base, name: `${via}, streamed: gzip error body quoting the key`, body: route.body(model, true), answer: () => gzipped(403, (k) => route.error(`Incorrect API key provided: ${k}`)), clientHint: true, recordHint: true });
      out.push({ ...base, name: `${via}, blocking: x-request-id quoting the key on an error`, body: route.body(model, false), answer: () => json(400, () => route.error('bad request'), (k) => ({ 'x-request-id': `req_${k}`, 'openai-organization': k, 'anthropic-organization-id': k })), clientHint: true, recordHint: false });
      out.push({ ...base, name: `${via}, streamed: x-request-id quoting the key on a stream`, body: route.body(model, true), answer: (k) => sse(streamShapes().find((s) => s.api === api)!.events('nothing'), { 'x-request-id': `req_${k}`, 'request-id': `req_${k}` }), clientHint: true, recordHint: false });
    }
  }
  const openaiModels = { path: '/openai/v1/models', method: 'GET' as const, key: OPENAI_KEY, headers: {} };
  const anthropicModels = { path: '/anthropic/v1/models', method: 'GET' as const, key: ANTHROPIC_KEY, headers: ANTHROPIC_HEADERS };
  for (const [via, base, error] of [['openai passthrough', openaiModels, openaiError], ['anthropic passthrough', anthropicModels, anthropicError]] as const) {
    out.push({ ...base, name: `${via}: error body with the key in \\u escapes`, answer: () => json(403, (k) => withEscapedKey(error('Key KEY_ESCAPED lacks scope'), k)), clientHint: true, recordHint: false });
    out.push({ ...base, name: `${via}: gzip error body quoting the key`, answer: () => gzipped(403, (k) => error(`Key ${k} lacks scope`)), clientHint: true, recordHint: false });
    out.push({ ...base, name: `${via}: x-request-id quoting the key on a 200`, answer: () => json(200, () => '{"object":"list","data":[]}', (k) => ({ 'x-request-id': `req_${k}` })), clientHint: true, recordHint: false });
  }
  const byok = { headers: { authorization: `Bearer ${CLIENT_KEY}` }, key: CLIENT_KEY, method: 'POST' as const, path: '/byok/v1/chat/completions' };
  out.push({ ...byok, name: 'byok chat, blocking: the client key in \\u escapes', body: CHAT('model-plain', false), answer: () => json(403, (k) => withEscapedKey(openaiError('Incorrect API key provided: KEY_ESCAPED'), k)), clientHint: true, recordHint: true });
  out.push({ ...byok, name: 'byok chat, streamed: data {"error":"…KEY"}', body: CHAT('model-plain', true), answer: (k) => sse(streamShapes()[0].events(k)), clientHint: true, recordHint: false });
  return out;
}

/** A gzip 200: bridged or passthrough, it must reach the client readable, decoded (so scanned) by the gateway. */
export const GZIP_OK: Writer = (res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  res.end(gzipSync(JSON.stringify({ id: 'chatcmpl-gz', object: 'chat.completion', created: 1, model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'zipped' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })));
};

/** Installs `scenario`'s answer on the fake for every request. */
export function answerWith(upstream: { behaviour: unknown }, writer: (key: string) => Writer): void {
  upstream.behaviour = (req: ReceivedRequest, res: http.ServerResponse) => writer(keyOf(req))(res, keyOf(req));
}

/** What a client sees once it decoded the answer as an SDK would: header values, and every JSON value parsed. */
export async function clientView(res: Response): Promise<{ raw: string; decoded: string }> {
  const raw = await res.text(); // fetch undoes a Content-Encoding it was told about, as the SDKs do
  const headers = JSON.stringify([...res.headers]);
  const values = raw.split(/\r?\n/).map((line) => {
    const text = line.startsWith('data:') ? line.slice(5).trim() : line;
    try {
      return JSON.stringify(JSON.parse(text));
    } catch {
      return text;
    }
  });
  return { raw: `${headers}\n${raw}`, decoded: `${headers}\n${values.join('\n')}` };
}

/** Sends the scenario's request as user alice. */
export function send(gwUrl: string, s: Scenario): Promise<Response> {
  return fetch(`${gwUrl}${s.path}`, {
    method: s.method,
    headers: { 'x-user-token': 'user-token-alice', ...(s.body ? { 'content-type': 'application/json' } : {}), ...s.headers },
    body: s.body ? JSON.stringify(s.body) : undefined,
  });
}

export const hintOf = maskKey;
