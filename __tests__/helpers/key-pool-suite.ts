/** Shared set-up of the key-pool suites: one fake upstream, gateways per test, and a no-key-leak check after each test. */
import OpenAI from 'openai';
import { openaiProvider, type OpenAIProviderOptions } from '../../lib';
import { startFakeOpenAI, type FakeUpstream } from './fake-openai';
import { startGateway, type Gateway } from './gateway';
import { leakedSecrets } from './keyed-upstream';

export const KEYS = ['sk-key-one-aaaaaaaaaaaa1111', 'sk-key-two-bbbbbbbbbbbb2222', 'sk-key-three-cccccccccc3333'];
export const [K1, K2, K3] = KEYS;
export const HINTS = ['sk-k...1111', 'sk-k...2222', 'sk-k...3333'];
export const CLIENT_KEY = 'sk-client-own-key-dddddddd9999';
export const CLIENT_HINT = 'sk-c...9999';
export const SECRETS = [...KEYS, CLIENT_KEY];
export const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] };
export const ALICE = { 'x-user-token': 'user-token-alice' };

export interface Captured {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const gateways: Gateway[] = [];
const responses: Captured[] = [];
const pendingCaptures: Array<Promise<void>> = [];

/** The shared fake upstream; set once the suite's beforeAll ran. */
export const shared = {} as { upstream: FakeUpstream };

/** Registers the hooks: the fake upstream for the file, a reset before each test, the leak check after it. */
export function keyPoolSuite(): void {
  beforeAll(async () => {
    shared.upstream = await startFakeOpenAI();
  });
  afterAll(async () => {
    await shared.upstream.close();
  });
  beforeEach(() => {
    shared.upstream.requests.length = 0;
    shared.upstream.behaviour = undefined;
  });
  afterEach(checkNoLeaks);
}

// Every test ends with the leak check: no full key (pool or client) in anything a client, a log or a record saw.
async function checkNoLeaks(): Promise<void> {
  await Promise.all(pendingCaptures.splice(0));
  const opened = gateways.splice(0);
  const statuses = await Promise.all(opened.map((gw) => gw.bridge.keyPoolStatus()));
  await Promise.all(opened.map((gw) => gw.close())); // flushes the recorders
  const seen = responses.splice(0);
  expect(leakedSecrets(JSON.stringify(seen), SECRETS)).toEqual([]);
  expect(leakedSecrets(JSON.stringify(statuses), SECRETS)).toEqual([]);
  for (const gw of opened) {
    const r = gw.recorder;
    expect(leakedSecrets(gw.logs.lines.join('\n'), SECRETS)).toEqual([]);
    expect(leakedSecrets(JSON.stringify([r.interceptions, r.interceptionEnds, r.tokenUsages, r.promptUsages, r.toolUsages, r.modelThoughts]), SECRETS)).toEqual([]);
  }
}

export async function gateway(provider: Partial<OpenAIProviderOptions> = {}): Promise<Gateway> {
  const gw = await startGateway({ providers: [openaiProvider({ baseURL: shared.upstream.url, keys: [...KEYS], ...provider })] });
  gateways.push(gw);
  return gw;
}

export async function send(gw: Gateway, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Captured> {
  const headers: Record<string, string> = { ...ALICE, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers };
  const res = await fetch(`${gw.url}/openai/v1${path}`, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, body: init.body });
  const captured = { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
  responses.push(captured);
  return captured;
}

export const chat = (gw: Gateway, headers?: Record<string, string>) => send(gw, '/chat/completions', { headers, body: JSON.stringify(CHAT) });

/** An OpenAI SDK client whose responses are captured (through a clone) for the leak check. */
export function sdk(gw: Gateway): OpenAI {
  const capturing = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const res = await fetch(input, init);
    const copy = res.clone();
    pendingCaptures.push(copy.text().then((body) => void responses.push({ status: copy.status, headers: Object.fromEntries(copy.headers), body }), () => undefined));
    return res;
  };
  return new OpenAI({ apiKey: 'not-a-provider-key', baseURL: `${gw.url}/openai/v1`, maxRetries: 0, defaultHeaders: ALICE, fetch: capturing });
}

export function openaiError(body: string): { message: unknown; type: unknown; code: unknown } {
  const parsed = JSON.parse(body) as { error: { message: unknown; type: unknown; code: unknown } };
  expect(Object.keys(parsed.error).sort()).toEqual(['code', 'message', 'type']);
  return parsed.error;
}

