/** The request-log suites' set-up and scenarios: one bridge logging at `debug`, real SDK clients, a real MCP tool, secrets in every place they could leak from. */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import winston from 'winston';
import { anthropicProvider, mcpToolInjector, openaiProvider } from '../../lib';
import { anthropicScript } from './anthropic-script';
import { chatScript } from './chat-script';
import { startFakeOpenAI, type FakeUpstream } from './fake-openai';
import { MemoryTransport, eventually, startGateway, type Gateway } from './gateway';
import { bearer, keyedUpstream } from './keyed-upstream';
import { startZooHttp } from './mcp-test-server';
import type { McpHttpHost } from './mcp-http-host';

export const POOL_KEY = 'sk-logs-pool-key-000000000000000001';
export const BAD_KEY = 'sk-logs-bad-key-0000000000000000002';
export const GOOD_KEY = 'sk-logs-good-key-000000000000000003';
export const ANT_POOL_KEY = 'sk-ant-logs-pool-00000000000000004';
export const BYOK_TOKEN = 'sk-ant-client-own-byok-token-55555';
export const COOKIE_VALUE = 'cookie-secret-value-666677778888';
export const COOKIE = `session=${COOKIE_VALUE}; theme=dark`;
/** Everything no log line may contain. */
export const SECRETS = [POOL_KEY, BAD_KEY, GOOD_KEY, ANT_POOL_KEY, BYOK_TOKEN, COOKIE_VALUE];

/** One parsed log line. */
export interface LogLine {
  level: string;
  message: string;
  [field: string]: unknown;
}

export interface LogSuite {
  upstream: FakeUpstream;
  gw: Gateway;
  host: McpHttpHost;
  /** Every line since the last `clear`, parsed. */
  lines(): LogLine[];
  clear(): void;
}

/**
 * One fake upstream, one MCP server (the zoo, `add` only) and one bridge with four providers: `openai` (one key),
 * `failover` (a refused key, then a good one), `down` (unreachable) and `claude-byok` (Anthropic, BYOK allowed).
 * `level` is the logger's.
 */
export function logSuite(level = 'debug'): LogSuite {
  const suite = {} as LogSuite;
  let logs: MemoryTransport;
  beforeAll(async () => {
    const { host } = await startZooHttp();
    suite.host = host;
    suite.upstream = await startFakeOpenAI();
    const url = suite.upstream.url;
    logs = new MemoryTransport();
    suite.gw = await startGateway({
      providers: [
        openaiProvider({ baseURL: url, keys: [POOL_KEY] }),
        openaiProvider({ name: 'failover', baseURL: url, keys: [BAD_KEY, GOOD_KEY] }),
        // Nothing listens on port 1: every call fails to connect.
        openaiProvider({ name: 'down', baseURL: 'http://127.0.0.1:1/v1', keys: [POOL_KEY] }),
        anthropicProvider({ name: 'claude-byok', baseURL: url.replace(/\/v1$/, ''), keys: [ANT_POOL_KEY], byok: true }),
      ],
      tools: mcpToolInjector({ servers: [{ name: 'zoo', url: host.url }], allow: /^add$/ }),
      logger: winston.createLogger({ level, transports: [logs] }),
    });
  });
  afterAll(async () => {
    await suite.gw.close();
    await suite.upstream.close();
    await suite.host.close();
  });
  suite.lines = () => logs.lines.map((line) => JSON.parse(line) as LogLine);
  suite.clear = () => {
    logs.lines.length = 0;
  };
  return suite;
}

const openai = (gw: Gateway, prefix = 'openai') => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/${prefix}/v1`, maxRetries: 0 });
const idOf = (response: Response) => response.headers.get('x-aibridge-interception-id')!;

/** Usage with cached tokens (the script's type names only the two counts; the fake sends what it is given). */
const CACHED_USAGE = { prompt_tokens: 20, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 5 } };

/** A blocking chat completion (with a Cookie, and a pool key quoted in the prompt); its interception id. */
export async function blocking(s: LogSuite): Promise<string> {
  s.upstream.behaviour = chatScript([{ text: 'It is blocking.', usage: CACHED_USAGE }]);
  const { response } = await openai(s.gw).chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `What does ${POOL_KEY} unlock?` }] }, { headers: { cookie: COOKIE } })
    .withResponse();
  return idOf(response);
}

/** A streamed chat completion, read to its end; its interception id. */
export async function streaming(s: LogSuite): Promise<string> {
  s.upstream.behaviour = chatScript([{ text: 'It is streamed.', usage: { prompt_tokens: 11, completion_tokens: 3 } }]);
  const { data, response } = await openai(s.gw).chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'stream it' }], stream: true }, { headers: { cookie: COOKIE } })
    .withResponse();
  for await (const chunk of data) void chunk;
  return idOf(response);
}

/** A blocking call on `failover`: the first key is refused (401, its error quoting it), the second answers. */
export async function failover(s: LogSuite): Promise<string> {
  s.upstream.behaviour = keyedUpstream({
    [bearer(BAD_KEY)]: { status: 401, body: { error: { message: `Incorrect API key provided: ${BAD_KEY}`, type: 'invalid_request_error', code: 'invalid_api_key' } } },
    [bearer(GOOD_KEY)]: chatScript([{ text: 'Answered by the second key.', usage: { prompt_tokens: 9, completion_tokens: 2 } }]),
  });
  const { response } = await openai(s.gw, 'failover').chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'fail over' }] })
    .withResponse();
  return idOf(response);
}

/** The model calls the injected MCP tool `add` (its arguments quoting a pool key), then answers; its interception id. */
export async function toolLoop(s: LogSuite): Promise<string> {
  s.upstream.behaviour = chatScript([
    { toolCalls: [{ id: 'call_add', name: 'bmcp_zoo_add', arguments: `{"a":20,"b":22,"note":"${POOL_KEY}"}` }], usage: { prompt_tokens: 30, completion_tokens: 5 } },
    { text: 'The answer is 42.', usage: { prompt_tokens: 50, completion_tokens: 6 } },
  ]);
  const { response } = await openai(s.gw).chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is 20+22?' }] })
    .withResponse();
  return idOf(response);
}

/** `GET /openai/v1/models` through the passthrough, with a Cookie. */
export async function passthrough(s: LogSuite): Promise<void> {
  s.upstream.behaviour = undefined;
  const page = await openai(s.gw).models.list({ headers: { cookie: COOKIE } });
  void page.data;
}

/** An Anthropic message with the client's own key (BYOK), quoted in its prompt too, and a Cookie; its interception id. */
export async function byok(s: LogSuite): Promise<string> {
  s.upstream.behaviour = anthropicScript([{ text: 'Your own key worked.' }]);
  const client = new Anthropic({ apiKey: BYOK_TOKEN, baseURL: `${s.gw.url}/claude-byok`, maxRetries: 0, defaultHeaders: { 'x-user-token': 'user-token-alice', cookie: COOKIE } });
  const { response } = await client.messages
    .create({ model: 'claude-test-1', max_tokens: 16, messages: [{ role: 'user', content: `Is ${BYOK_TOKEN} my key?` }] })
    .withResponse();
  return idOf(response);
}

/** The lines about interception `id`, once its end was logged. */
export async function linesOf(s: LogSuite, id: string): Promise<LogLine[]> {
  await eventually(() => expect(s.lines().filter((l) => l.interceptionId === id && l.message === 'interception ended')).toHaveLength(1));
  return s.lines().filter((l) => l.interceptionId === id);
}
