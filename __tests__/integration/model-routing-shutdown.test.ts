/** Model routes and a request's life around its providers: the body a guard edited in place, capacity before the body, a close() mid-request. */
import http from 'node:http';
import { openaiProvider, type BridgeOptions } from '../../lib';
import type { GuardContext } from '../../lib/pipeline/guard';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { eventually, startGateway } from '../helpers/gateway';
import { rawRequest } from '../helpers/raw-request';

const ALICE = { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' };
const BODY = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
let b: FakeUpstream;

function options(extra: Partial<BridgeOptions> = {}): Partial<BridgeOptions> & Pick<BridgeOptions, 'providers'> {
  return {
    providers: [
      openaiProvider({ name: 'down', keys: ['sk-shutdown-route-down-1111'], baseURL: 'http://127.0.0.1:1/v1' }),
      openaiProvider({ name: 'openai-b', keys: ['sk-shutdown-route-b-2222'], baseURL: b.url }),
    ],
    routes: [{ name: 'resilient', rules: [{ model: '*', providers: ['down', 'openai-b'] }] }],
    ...extra,
  };
}

beforeAll(async () => {
  b = await startFakeOpenAI();
});
afterAll(() => b.close());
beforeEach(() => {
  b.requests.length = 0;
  b.behaviour = undefined;
});

/** Starts a POST whose body is sent in two parts; `finish()` sends the rest, `answer` is the client's answer. */
function slowPost(base: string, path: string, body: string) {
  const url = new URL(base);
  let answer!: Promise<{ status: number; body: string }>;
  const req = http.request({ host: url.hostname, port: url.port, path: `${url.pathname}${path}`, method: 'POST', headers: { ...ALICE, 'content-length': String(Buffer.byteLength(body)) } });
  answer = new Promise((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
  });
  const half = Math.floor(body.length / 2);
  req.write(body.slice(0, half));
  return { answer, finish: () => req.end(body.slice(half)) };
}

describe('a guard that edits the body in place', () => {
  it('edits each provider tried from the client\'s own body: the next provider gets one edit, not two', async () => {
    const guard = ({ request }: GuardContext) => {
      const messages = request.json.messages as Array<{ role: string; content: string }>;
      messages.unshift({ role: 'system', content: 'Be brief.' });
      return { edit: request.json };
    };
    const g = await startGateway(options({ guard }));
    try {
      const res = await rawRequest(g.url, 'POST', '/resilient/v1/chat/completions', ALICE, BODY);
      expect(res.status).toBe(200);
      expect(b.requests).toHaveLength(1);
      expect(b.requests[0].json.messages).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }]);
    } finally {
      await g.close();
    }
  });
});

describe('close() while a routed request is still arriving', () => {
  it('waits for it like for a provider\'s own request, which is then served and recorded before close() resolves', async () => {
    const g = await startGateway(options());
    const request = slowPost(g.url, '/resilient/v1/chat/completions', BODY);
    await new Promise((r) => setTimeout(r, 50));
    let closed = false;
    const closing = g.bridge.close({ graceMs: 5000 }).then(() => { closed = true; });
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false);
    request.finish();
    const answer = await request.answer;
    expect(answer.status).toBe(200);
    await closing;
    expect(b.requests).toHaveLength(1);
    expect(g.recorder.interceptionEnds.map((e) => e.status)).toEqual(['failed', 'completed']);
    await g.close();
  });

  it('answers 503 and sends nothing upstream when the grace period ends before its body did', async () => {
    const g = await startGateway(options());
    const request = slowPost(g.url, '/resilient/v1/chat/completions', BODY);
    await new Promise((r) => setTimeout(r, 50));
    await g.bridge.close({ graceMs: 100 });
    const answer = await request.answer;
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'shutting_down' } });
    request.finish();
    await new Promise((r) => setTimeout(r, 100));
    expect(b.requests).toHaveLength(0);
    await eventually(() => expect(g.recorder.interceptions).toHaveLength(0));
    await g.close();
  });
});

describe('capacity', () => {
  it.each([
    ['the actor\'s', { maxConcurrentPerActor: 1 }],
    ['the bridge\'s', { maxConcurrent: 1 }],
  ])('refuses a request past %s capacity before reading its body, in the API\'s shape, and records the refusal', async (_which, limit) => {
    let held: http.ServerResponse | undefined;
    b.behaviour = (req, res) => { held = res; };
    const g = await startGateway(options(limit));
    try {
      const first = rawRequest(g.url, 'POST', '/resilient/v1/chat/completions', ALICE, BODY);
      await eventually(() => expect(held).toBeDefined());
      // Half a body, never finished: the refusal must not wait for the rest.
      const second = slowPost(g.url, '/resilient/v1/chat/completions', BODY);
      const refused = await second.answer;
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'at_capacity' } });
      expect(b.requests).toHaveLength(1);
      held!.writeHead(200, { 'content-type': 'application/json' });
      held!.end(JSON.stringify({ id: 'chatcmpl-held', object: 'chat.completion', created: 0, model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] }));
      expect((await first).status).toBe(200);
      await eventually(() => expect(g.recorder.interceptionEnds).toHaveLength(3));
      const ends = g.recorder.interceptions.map((s) => [s.providerName, s.route, g.recorder.interceptionEnds.find((e) => e.id === s.id)?.errorCode]);
      expect(ends).toEqual([
        ['down', '/resilient/v1/chat/completions', 'upstream_unreachable'],
        ['openai-b', '/resilient/v1/chat/completions', undefined],
        ['down', '/resilient/v1/chat/completions', 'at_capacity'],
      ]);
      // The slot is the client request's, whichever providers it went through: free again now.
      b.behaviour = undefined;
      expect((await rawRequest(g.url, 'POST', '/resilient/v1/chat/completions', ALICE, BODY)).status).toBe(200);
    } finally {
      await g.close();
    }
  });
});
