// A pool of long-lived secrets exchanged at a token endpoint for short-lived tokens: the upstream gets the fresh token,
// concurrent requests share one exchange, a failed exchange fails over, and no secret or token ever leaves the bridge.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { maskKey, openaiProvider, refreshingCredentials } from '../../lib';
import { chatCompletion, startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';
import { keysSeen, leakedSecrets } from '../helpers/keyed-upstream';

const SECRET_A = 'ghu_longlived_alpha_aaaaaaaaaaaaaaaaaaaa1';
const SECRET_B = 'ghu_longlived_bravo_bbbbbbbbbbbbbbbbbbbb2';
const HINT_A = maskKey(SECRET_A);
const HINT_B = maskKey(SECRET_B);
const TTL_MS = 30 * 60_000;

/** A token endpoint: `Authorization: token <secret>` → `{ token, expires_at }` (seconds), each token new; secrets in `failing` get a 500. */
async function startTokenEndpoint(clock: { now: number }) {
  const issued: string[] = [];
  const failing = new Set<string>();
  let delayMs = 0;
  const server = http.createServer((req, res) => {
    const secret = String(req.headers.authorization).replace(/^token /, '');
    setTimeout(() => {
      if (failing.has(secret)) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `exchange failed for ${secret}` }));
        return;
      }
      const token = `tid=${secret.slice(14, 19)};n=${issued.length};sig=${'f'.repeat(24)}${issued.length}`;
      issued.push(token);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token, expires_at: Math.floor((clock.now + TTL_MS) / 1000) }));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  return {
    issued, failing, url,
    set delayMs(ms: number) { delayMs = ms; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

let clock: { now: number };
let tokens: Awaited<ReturnType<typeof startTokenEndpoint>>;
let upstream: FakeUpstream;
let gw: Gateway;

beforeEach(async () => {
  clock = { now: Date.now() };
  tokens = await startTokenEndpoint(clock);
  upstream = await startFakeOpenAI((req, res) => {
    // An upstream that quotes the credential it got, as a misbehaving one might.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(chatCompletion({ choices: [{ index: 0, message: { role: 'assistant', content: `you sent ${req.headers.authorization}` }, finish_reason: 'stop' }] })));
  });
  const source = refreshingCredentials({
    entries: [{ secret: SECRET_A, id: 'alpha' }, { secret: SECRET_B, id: 'bravo' }],
    now: () => clock.now,
    async exchange({ secret }, signal) {
      const res = await fetch(tokens.url, { method: 'POST', headers: { authorization: `token ${secret}` }, signal });
      if (!res.ok) throw new Error(`token exchange answered ${res.status}: ${await res.text()}`);
      const body = await res.json() as { token: string; expires_at: number };
      return { token: body.token, expiresAt: body.expires_at * 1000 };
    },
  });
  gw = await startGateway({ providers: [openaiProvider({ credentials: source, baseURL: upstream.url })] });
});

afterEach(async () => {
  await gw.close();
  await upstream.close();
  await tokens.close();
});

const client = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/openai/v1`, maxRetries: 0 });
const ask = () => client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse();

/** Everything the bridge wrote: records and log lines. */
async function everythingStored(ends: number): Promise<string> {
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(ends));
  return JSON.stringify({ records: gw.recorder, logs: gw.logs.lines });
}

test('the upstream gets the exchanged token; it is refreshed before expiry; no secret or token leaves the bridge', async () => {
  const first = await ask();
  expect(tokens.issued).toHaveLength(1);
  expect(keysSeen(upstream.requests)).toEqual([tokens.issued[0]]);
  expect(first.data.choices[0].message.content).toBe(`you sent Bearer ${HINT_A}`);

  // Still valid: no new exchange.
  await ask();
  expect(tokens.issued).toHaveLength(1);

  // Inside the refresh window: the still-valid token serves while one exchange fetches the next, which then serves.
  clock.now += TTL_MS - 30_000;
  const third = await ask();
  expect(third.data.choices[0].message.content).toBe(`you sent Bearer ${HINT_A}`);
  await eventually(() => expect(tokens.issued).toHaveLength(2));
  let asked = 3;
  for (; asked < 20 && upstream.requests.at(-1)?.headers.authorization !== `Bearer ${tokens.issued[1]}`; asked++) await ask();
  expect(keysSeen(upstream.requests).slice(0, 3)).toEqual([tokens.issued[0], tokens.issued[0], tokens.issued[0]]);
  expect(keysSeen(upstream.requests).at(-1)).toBe(tokens.issued[1]);
  expect(tokens.issued).toHaveLength(2);

  // Past expiry: the request waits for a new token.
  clock.now += TTL_MS + 1;
  const last = await ask();
  asked++;
  expect(tokens.issued).toHaveLength(3);
  expect(keysSeen(upstream.requests).at(-1)).toBe(tokens.issued[2]);
  expect(last.data.choices[0].message.content).toBe(`you sent Bearer ${HINT_A}`);

  const secrets = [SECRET_A, SECRET_B, ...tokens.issued];
  const stored = await everythingStored(asked);
  expect(leakedSecrets(stored, secrets)).toEqual([]);
  expect(new Set(gw.recorder.interceptionEnds.map((e) => e.credentialHint))).toEqual(new Set([HINT_A]));
});

test('concurrent requests at a cold pool share one exchange', async () => {
  tokens.delayMs = 100;
  const answers = await Promise.all(Array.from({ length: 6 }, () => ask()));
  expect(answers.map((a) => a.response.status)).toEqual([200, 200, 200, 200, 200, 200]);
  expect(tokens.issued).toHaveLength(1);
  expect(new Set(keysSeen(upstream.requests))).toEqual(new Set([tokens.issued[0]]));
});

test('a failing exchange fails over to the next entry, and is recorded as that entry\'s failed attempt', async () => {
  tokens.failing.add(SECRET_A);
  const answer = await ask();
  expect(answer.response.status).toBe(200);
  expect(tokens.issued).toHaveLength(1);
  expect(keysSeen(upstream.requests)).toEqual([tokens.issued[0]]);
  expect(answer.data.choices[0].message.content).toBe(`you sent Bearer ${HINT_B}`);

  const stored = await everythingStored(1);
  expect(leakedSecrets(stored, [SECRET_A, SECRET_B, ...tokens.issued])).toEqual([]);
  const [ended] = gw.recorder.interceptionEnds;
  expect(ended.credentialHint).toBe(HINT_B);
  expect(ended.attempts).toEqual([
    expect.objectContaining({ credentialHint: HINT_A, errorType: 'unauthorized' }),
    expect.objectContaining({ credentialHint: HINT_B, httpStatus: 200 }),
  ]);
  expect(gw.logs.lines.some((l) => l.includes('provider credential could not be obtained') && l.includes(HINT_A))).toBe(true);

  // The failed entry cools down: the next request goes straight to the other one, with no new exchange for it.
  await ask();
  expect(tokens.issued).toHaveLength(1);
});

test('every entry failing its exchange: the pool is exhausted (502), nothing leaks', async () => {
  tokens.failing.add(SECRET_A);
  tokens.failing.add(SECRET_B);
  const err = await ask().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OpenAI.APIError);
  expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
  expect(upstream.requests).toHaveLength(0);
  const stored = await everythingStored(1);
  expect(leakedSecrets(stored + JSON.stringify(err), [SECRET_A, SECRET_B])).toEqual([]);
});
