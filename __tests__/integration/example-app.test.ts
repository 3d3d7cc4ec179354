/** The example app as a user runs it: `node example-app/server.js` offline, driven by the real OpenAI SDK. */
import OpenAI from 'openai';
import { childPids, isRunning, spawnExampleApp, type ExampleApp } from '../helpers/example-app-process';

let app: ExampleApp;
let origin: string;
let demoServerPid: number;
const waitForOutput = (pattern: RegExp, timeoutMs?: number) => app.waitForOutput(pattern, timeoutMs);

async function eventually(check: () => Promise<void>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

interface UsageEntry {
  actor: { id: string; email?: string };
  streaming: boolean;
  prompt?: string;
  tokens?: { input: number; output: number };
  toolCalls: Array<{ tool: string; injected: boolean; serverUrl?: string; args: unknown }>;
}
interface UsageSummary {
  byActor: Record<string, { requests: number }>;
  interceptions: UsageEntry[];
}

const usageAs = (token?: string): Promise<Response> => fetch(`${origin}/usage`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
const client = (token: string) => new OpenAI({ apiKey: token, baseURL: `${origin}/ai/openai/v1`, maxRetries: 0 });

beforeAll(async () => {
  app = spawnExampleApp({ AIBRIDGE_DEMO_TOKENS: 'tok-carol:carol:carol@example.com' });
  origin = (await waitForOutput(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1];
});

afterAll(async () => {
  await app.stop();
});

describe('example app (offline, fake upstream)', () => {
  test('prints which mode it runs in and how to try it', async () => {
    await waitForOutput(/curl \S+\/healthz/);
    expect(app.stdout).toContain('mode: offline');
    expect(app.stdout).toContain(`${origin}/ai/openai/v1`);
    expect(app.stdout).toContain('Authorization: Bearer demo-token-alice');
    expect(app.stdout).toContain(`curl ${origin}/usage -H 'Authorization: Bearer demo-token-alice'`);
    expect(app.stdout).toContain(`open ${origin}/admin/ai/ in a browser and log in as user alice, password demo-token-alice`);
    expect(app.stdout).toContain(`curl -u alice:demo-token-alice ${origin}/admin/ai/api/totals`);
  });

  test('answers a blocking chat completion for a demo token', async () => {
    const answer = await client('demo-token-bob').chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is a gateway?' }] });
    expect(answer.object).toBe('chat.completion');
    expect(answer.choices[0].message.content).toContain('You asked: "What is a gateway?"');
    expect(answer.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
    expect(answer.usage!.completion_tokens).toBe(answer.choices[0].message.content!.split(/\s+/).length);
  });

  test('streams a chat completion chunk by chunk, with a final usage chunk', async () => {
    const stream = await client('demo-token-bob').chat.completions.create({
      model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Stream please' }], stream: true, stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    expect(chunks.filter((c) => c.choices[0]?.delta?.content).length).toBeGreaterThan(5);
    expect(text).toContain('You asked: "Stream please"');
    expect(chunks.at(-2)!.choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: text.split(/\s+/).length } });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  test('rejects an unknown token with an OpenAI-shaped 401', async () => {
    const attempt = client('demo-token-mallory').chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    await expect(attempt).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(attempt).rejects.toMatchObject({ status: 401 });
  });

  test('accepts extra tokens from AIBRIDGE_DEMO_TOKENS', async () => {
    const models = await client('tok-carol').models.list();
    expect(models.data.map((m) => m.id)).toContain('gpt-4o-mini');
  });

  test('GET /usage shows the caller\'s own interceptions with actor, model, status and tokens', async () => {
    await eventually(async () => {
      const usage = (await (await usageAs('demo-token-bob')).json()) as UsageSummary;
      expect(usage.interceptions).toHaveLength(2);
      for (const entry of usage.interceptions) {
        expect(entry).toMatchObject({
          actor: { id: 'bob', email: 'bob@example.com' }, model: 'gpt-4o-mini', status: 'completed', httpStatus: 200,
          client: 'openai-node', tokens: { input: expect.any(Number), output: expect.any(Number) },
        });
        expect(entry.tokens!.output).toBeGreaterThan(0);
      }
      expect(usage.interceptions.map((i) => i.streaming).sort()).toEqual([false, true]);
      const tokens = usage.interceptions.map((i) => i.tokens!);
      expect(usage.byActor).toEqual({
        bob: {
          requests: 2, input: tokens[0].input + tokens[1].input, output: tokens[0].output + tokens[1].output,
          // gpt-4o-mini is in the shipped price table, so all of it is priced.
          cost: { usd: expect.any(Number), unpricedTokens: 0, unpricedModels: [], estimate: true },
        },
      });
    });
  });

  test('GET /usage never shows another user\'s prompts', async () => {
    await waitForOutput(/--- demo finished/);
    await eventually(async () => {
      const usage = (await (await usageAs('demo-token-alice')).json()) as UsageSummary;
      expect(usage.interceptions.length).toBeGreaterThan(0);
      expect(usage.interceptions.every((i) => i.actor.id === 'alice')).toBe(true);
      expect(Object.keys(usage.byActor)).toEqual(['alice']);
    });
  });

  test.each([
    ['no token', undefined],
    ['an unknown token', 'demo-token-mallory'],
  ])('GET /usage with %s is an OpenAI-shaped 401, like the bridge', async (_label, token) => {
    const res = await usageAs(token);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toEqual({ message: expect.any(String), type: 'authentication_error', code: 'unauthorized' });
    expect(JSON.stringify(body)).not.toContain('bob');
  });

  test('runs its startup demo: a streamed answer printed to the console', async () => {
    await waitForOutput(/--- demo finished: \d+ chunks/);
    expect(app.stdout).toContain('(openai SDK)');
    expect(app.stdout).toContain('You asked: "Say hello to the people watching this demo"');
  });

  test('GET /healthz reports the key pool without key material', async () => {
    const res = await fetch(`${origin}/healthz`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({ status: 'ok', providers: [{ provider: 'openai', store: 'memory', keys: [{ hint: expect.stringMatching(/^sk-.\.\.\.\w{4}$/), state: 'healthy' }] }] });
  });

  test('GET / explains how to connect', async () => {
    const res = await fetch(`${origin}/`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toContain(`baseURL: '${origin}/ai/openai/v1'`);
  });

  test('runs its tool demo: the model calls the injected bmcp_demo_server_time, the answer quotes its result', async () => {
    await waitForOutput(/--- demo: an injected MCP tool[^\n]*\n> [^\n]*\n< [^\n]*\n--- demo finished/);
    expect(app.stdout).toMatch(/--- demo: an injected MCP tool[^\n]*\n> What time is it on the server\?\n< The tool bmcp_demo_server_time answered: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\n/);
  });

  test('an injected tool call is recorded as injected, with the stdio server it ran on', async () => {
    await waitForOutput(/--- demo: an injected MCP tool[^]*--- demo finished/);
    await eventually(async () => {
      const usage = (await (await usageAs('demo-token-alice')).json()) as UsageSummary;
      const entry = usage.interceptions.find((i) => i.prompt === 'What time is it on the server?');
      expect(entry?.toolCalls).toEqual([{ tool: 'bmcp_demo_server_time', injected: true, serverUrl: `stdio:${process.execPath}`, args: {} }]);
    });
  });

  test('the demo MCP server\'s tools work for any client: word_count through the bridge, blocking', async () => {
    const answer = await client('demo-token-bob').chat.completions.create({
      model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Count the words in "one two three four"' }],
    });
    expect(answer.choices[0].message).toMatchObject({ content: 'The tool bmcp_demo_word_count answered: 4' });
    expect(answer.choices[0].message.tool_calls).toBeUndefined();
  });

  test('the demo MCP server runs as a child of the app (stdio)', () => {
    const pids = childPids(app.child.pid!, 'demo-mcp-server.js');
    expect(pids).toHaveLength(1);
    demoServerPid = pids[0];
  });

  test('GET /metrics is for admins and shows the bridge\'s Prometheus series after a request', async () => {
    expect((await fetch(`${origin}/metrics`)).status).toBe(401);
    expect((await fetch(`${origin}/metrics`, { headers: { authorization: 'Bearer demo-token-bob' } })).status).toBe(403);
    await client('demo-token-bob').chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Count me' }] });
    const scrape = await fetch(`${origin}/metrics`, { headers: { authorization: 'Bearer demo-token-alice' } });
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await scrape.text();
    expect(text).toMatch(/^# TYPE aibridge_interceptions_total counter$/m);
    const completed = text.match(/^aibridge_interceptions_total\{[^}]*provider="openai"[^}]*status="completed"[^}]*\} (\d+)$/m);
    expect(Number(completed?.[1])).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).not.toContain('sk-offline-demo-key');
  });

  test('shuts down gracefully on SIGTERM, ending the demo MCP server too', async () => {
    expect(await app.stop()).toBe(0);
    expect(app.stdout + app.stderr).toContain('stopped');
    expect(demoServerPid).toBeGreaterThan(0);
    expect(isRunning(demoServerPid)).toBe(false);
  });
});
