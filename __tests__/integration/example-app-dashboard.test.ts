/** The example app's usage store and dashboard: SQLite file by default, admin-only dashboard, data kept across restarts, memory fallback. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { ROOT, spawnExampleApp, type ExampleApp } from '../helpers/example-app-process';

jest.setTimeout(60_000);

const DB_NAME = 'aibridge-example.db';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const ALICE = basic('alice', 'demo-token-alice');

async function eventually<T>(check: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function started(app: ExampleApp): Promise<string> {
  return (await app.waitForOutput(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1];
}

/** Asks as `token`'s user through the bridge with the OpenAI SDK; resolves with the interception id. */
async function ask(origin: string, token: string, content: string): Promise<string> {
  const client = new OpenAI({ apiKey: token, baseURL: `${origin}/ai/openai/v1`, maxRetries: 0 });
  const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }).withResponse();
  return response.headers.get('x-aibridge-interception-id')!;
}

const dashboard = (origin: string, p: string, authorization?: string) =>
  fetch(`${origin}/admin/ai${p}`, { redirect: 'manual', headers: authorization ? { authorization } : {} });

/** The interception as the dashboard shows it, once the store has it with its end. */
interface Shown { interception: { initiatorId: string; model: string }; ended?: { status: string }; prompts: Array<{ prompt: string }> }
async function shownInDashboard(origin: string, id: string): Promise<Shown> {
  return eventually(async () => {
    const res = await dashboard(origin, `/api/interceptions/${id}`, ALICE);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Shown;
    expect(body.ended).toBeDefined();
    return body;
  });
}

describe('example app: SQLite by default, dashboard for admins, kept across restarts', () => {
  let dir: string;
  let app: ExampleApp;
  let origin: string;
  let bobsId: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aibridge-example-'));
    // No AIBRIDGE_DB: the app's default, a file in its working directory.
    app = spawnExampleApp({ AIBRIDGE_DB: undefined }, { cwd: dir });
    origin = await started(app);
  });

  afterAll(async () => {
    await app?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('says where it records, and records there: the SQLite file in its working directory', async () => {
    expect(app.stdout).toContain(`usage store: SQLite file ${path.join(dir, DB_NAME)}`);
    bobsId = await ask(origin, 'demo-token-bob', 'Is this kept in SQLite?');
    const shown = await shownInDashboard(origin, bobsId);
    expect(shown).toMatchObject({ interception: { initiatorId: 'bob', model: 'gpt-4o-mini' }, ended: { status: 'completed' }, prompts: [{ prompt: 'Is this kept in SQLite?' }] });
    expect(fs.statSync(path.join(dir, DB_NAME)).size).toBeGreaterThan(0);
  });

  test('the dashboard page and its JSON endpoints answer alice (HTTP Basic or bearer) with the recorded usage', async () => {
    const page = await dashboard(origin, '/', ALICE);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const bobs = (await (await dashboard(origin, '/api/totals?actor=bob', ALICE)).json()) as any;
    expect(bobs).toMatchObject({ interceptions: 1, completed: 1, cost: { estimate: true, unpricedModels: [] } });
    expect(bobs.input + bobs.output).toBeGreaterThan(0);
    const groups = (await (await dashboard(origin, '/api/group?by=actor', 'Bearer demo-token-alice')).json()) as any;
    expect(groups.groups.map((g: { key: string }) => g.key)).toContain('bob');
    const keys = (await (await dashboard(origin, '/api/keys', ALICE)).json()) as any;
    expect(keys.providers[0].keys[0]).toMatchObject({ state: 'healthy' });
  });

  test.each([
    ['no credentials', undefined],
    ['an unknown token', 'Bearer demo-token-mallory'],
    ['Basic with a wrong password', basic('alice', 'demo-token-bob')],
    ['Basic with no password', basic('alice', '')],
    ['a malformed Basic header', 'Basic !!!'],
  ])('%s: 401 with a Basic challenge, nothing of the data', async (_label, authorization) => {
    for (const p of ['/', '/api/totals', `/api/interceptions/${bobsId}`]) {
      const res = await dashboard(origin, p, authorization);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="aibridge dashboard", charset="UTF-8"');
      const body = await res.json();
      expect(body).toEqual({ error: { message: expect.any(String), type: 'authentication_error', code: 'unauthorized' } });
    }
  });

  test.each([
    ['bearer', 'Bearer demo-token-bob'],
    ['Basic', basic('bob', 'demo-token-bob')],
  ])('bob, who is not an admin, gets 403 (%s)', async (_label, authorization) => {
    for (const p of ['/', '/api/interceptions', `/api/interceptions/${bobsId}`]) {
      const res = await dashboard(origin, p, authorization);
      expect(res.status).toBe(403);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ error: { message: expect.any(String), type: 'permission_error', code: 'forbidden' } });
      expect(text).not.toContain('Is this kept in SQLite?');
    }
  });

  test('GET /usage reads the store\'s query API, still only the caller\'s own', async () => {
    const usage = (await (await fetch(`${origin}/usage`, { headers: { authorization: 'Bearer demo-token-bob' } })).json()) as any;
    expect(usage.interceptions.map((i: { id: string }) => i.id)).toEqual([bobsId]);
    expect(Object.keys(usage.byActor)).toEqual(['bob']);
  });

  test('a restart on the same file keeps what was recorded', async () => {
    await app.waitForOutput(/server still running/);
    expect(await app.stop()).toBe(0);
    // A clean shutdown checkpoints the WAL into the database file.
    expect(fs.existsSync(path.join(dir, `${DB_NAME}-wal`))).toBe(false);
    app = spawnExampleApp({ AIBRIDGE_DB: DB_NAME }, { cwd: dir });
    origin = await started(app);
    const shown = await shownInDashboard(origin, bobsId);
    expect(shown).toMatchObject({ interception: { initiatorId: 'bob' }, prompts: [{ prompt: 'Is this kept in SQLite?' }] });
    const usage = (await (await fetch(`${origin}/usage`, { headers: { authorization: 'Bearer demo-token-bob' } })).json()) as any;
    expect(usage.interceptions.map((i: { id: string }) => i.id)).toEqual([bobsId]);
  });
});

describe('example app without better-sqlite3', () => {
  let app: ExampleApp;
  let origin: string;

  beforeAll(async () => {
    const preload = path.join(ROOT, '__tests__/fixtures/without-better-sqlite3.js');
    app = spawnExampleApp({ AIBRIDGE_DB: undefined, NODE_OPTIONS: `--require ${preload}` }, { cwd: os.tmpdir() });
    origin = await started(app);
  });

  afterAll(async () => {
    await app?.stop();
  });

  test('says so, records in memory, and the dashboard still shows it', async () => {
    expect(app.stdout).toContain('note: better-sqlite3 could not be loaded');
    expect(app.stdout).toMatch(/usage store: memory, lost on exit \(SqliteRecorder needs the optional dependency better-sqlite3/);
    const id = await ask(origin, 'demo-token-bob', 'Where does this go?');
    const shown = await shownInDashboard(origin, id);
    expect(shown).toMatchObject({ interception: { initiatorId: 'bob' }, prompts: [{ prompt: 'Where does this go?' }] });
    expect(await app.stop()).toBe(0);
  });
});

describe('example app with a database it cannot open', () => {
  test('stops at startup and says which file', async () => {
    const app = spawnExampleApp({ AIBRIDGE_DB: path.join(os.tmpdir(), 'no-such-dir-aibridge', 'x', 'usage.db') });
    try {
      const outcome = await Promise.race([app.exited, app.waitForOutput(/listening on/).then(() => 'listening', () => 'exited')]);
      expect(outcome).toBe(1);
    } finally {
      await app.stop();
    }
    expect(app.stderr).toMatch(/example-app failed to start: cannot open the usage database \S*no-such-dir-aibridge\S*usage\.db/);
  });
});
