/** recordContent: what prompts, tool arguments, tool errors and thoughts keep in each mode, read back from SQLite; the mode stored with each interception (schema 4). */
import { createHmac } from 'node:crypto';
import Database from 'better-sqlite3';
import OpenAI from 'openai';
import { Pool } from 'pg';
import winston from 'winston';
import { openaiProvider, SqliteRecorder, type ContentMode, type RecordContentOption } from '../../lib';
import { RecordContent } from '../../lib/pipeline/record-content';
import { SafeRecorder } from '../../lib/recorder/safe-recorder';
import { MIGRATIONS } from '../../lib/recorder/schema';
import type { InterceptionRecord } from '../../lib/recorder/types';
import { eventually, startGateway } from '../helpers/gateway';
import { startFakeOpenAI } from '../helpers/fake-openai';
import { chatScript } from '../helpers/chat-script';
import { TestInjector } from '../helpers/test-injector';
import { requireService } from '../helpers/services';
import { cleanupStores, freshSchema, PG_URL, pgAvailable, postgresStore, sqliteStore, tempDbFile } from '../helpers/stores';

afterAll(cleanupStores);

const SALT = 'a-test-salt-of-32-characters-000';
const silent = winston.createLogger({ silent: true });
const T0 = 1_700_000_000_000;
const PROMPT = 'mail bob@example.com the key sk-live-abcdefghijklmnop1234';
const ARGS = { to: 'carol@example.com', attempts: 2, nested: [{ token: 'ghp_abcdefghijklmnopqrstuvwxyz0123' }] };
const TOOL_ERROR = 'could not reach dave@example.com';
const THOUGHT = 'The user wants eve@example.com contacted.';

const hmac = (text: string) => `sha256:${createHmac('sha256', SALT).update(text, 'utf8').digest('hex')}`;
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

function start(id: string): InterceptionRecord {
  return {
    id, initiatorId: 'alice', provider: 'openai', providerName: 'openai', route: '/v1/chat/completions', model: 'gpt-4o',
    streaming: false, startedAt: new Date(T0), credentialKind: 'centralized',
  };
}

/** Records one interception with every kind of content through the bridge's own recording path, in `mode`; returns it read back. */
async function recordedIn(option: RecordContentOption) {
  const filename = tempDbFile();
  const safe = new SafeRecorder(sqliteStore({ filename }), silent);
  const recording = safe.open();
  const id = `ix-${String(option).slice(0, 8)}`;
  const record = start(id);
  record.contentMode = new RecordContent(option, SALT, silent).apply(recording, () => ({ interception: { id, actor: { id: 'alice' }, providerName: 'openai', api: 'chat-completions', model: 'gpt-4o', streaming: false, route: '/v1/chat/completions' }, req: {} as never }));
  recording.start(record);
  const createdAt = new Date(T0 + 1);
  recording.promptUsage({ interceptionId: id, msgId: '', prompt: PROMPT, createdAt });
  recording.toolUsage({ interceptionId: id, msgId: 'm1', tool: 'send_mail', toolCallId: 'call_1', args: ARGS, injected: true, invocationError: TOOL_ERROR, createdAt });
  recording.modelThought({ interceptionId: id, msgId: 'm1', content: THOUGHT, source: 'thinking', createdAt });
  recording.end({ id, endedAt: new Date(T0 + 2), status: 'completed', httpStatus: 200 });
  await safe.close();
  const reader = new SqliteRecorder({ filename });
  try {
    return (await reader.interception(id))!;
  } finally {
    await reader.close();
  }
}

describe('each mode, read back from SQLite', () => {
  test('full: everything as it came', async () => {
    const d = await recordedIn('full');
    expect(d.interception.contentMode).toBe('full');
    expect(d.prompts[0].prompt).toBe(PROMPT);
    expect(d.tools[0]).toMatchObject({ args: ARGS, invocationError: TOOL_ERROR });
    expect(d.thoughts[0].content).toBe(THOUGHT);
    expect(d.prompts[0].extra).toBeUndefined();
  });

  test('redacted: e-mail addresses and key-looking strings masked, the arguments still JSON', async () => {
    const d = await recordedIn('redacted');
    expect(d.interception.contentMode).toBe('redacted');
    expect(d.prompts[0].prompt).toBe('mail [email] the key [secret]');
    expect(d.tools[0].args).toEqual({ to: '[email]', attempts: 2, nested: [{ token: '[secret]' }] });
    expect(d.tools[0].invocationError).toBe('could not reach [email]');
    expect(d.thoughts[0].content).toBe('The user wants [email] contacted.');
  });

  test('hashed: a salted SHA-256 and the original size of each text', async () => {
    const d = await recordedIn('hashed');
    expect(d.interception.contentMode).toBe('hashed');
    expect(d.prompts[0]).toMatchObject({ prompt: hmac(PROMPT), extra: { promptBytes: bytes(PROMPT) } });
    expect(d.tools[0]).toMatchObject({
      args: hmac(JSON.stringify(ARGS)), invocationError: hmac(TOOL_ERROR), extra: { argsBytes: bytes(JSON.stringify(ARGS)), invocationErrorBytes: bytes(TOOL_ERROR) },
    });
    expect(d.thoughts[0]).toMatchObject({ content: hmac(THOUGHT), extra: { contentBytes: bytes(THOUGHT) } });
    expect(JSON.stringify(d)).not.toContain('example.com');
  });

  test('none: no content, only sizes; metadata kept', async () => {
    const d = await recordedIn('none');
    expect(d.interception).toMatchObject({ contentMode: 'none', initiatorId: 'alice', model: 'gpt-4o' });
    expect(d.prompts[0]).toMatchObject({ prompt: '', extra: { promptBytes: bytes(PROMPT) } });
    expect(d.tools[0]).toMatchObject({ tool: 'send_mail', toolCallId: 'call_1', args: '', invocationError: '', extra: { argsBytes: bytes(JSON.stringify(ARGS)) } });
    expect(d.thoughts[0]).toMatchObject({ content: '', source: 'thinking', extra: { contentBytes: bytes(THOUGHT) } });
    expect(JSON.stringify(d)).not.toContain('example.com');
  });

  test('a function that throws, or answers no mode, records no content', async () => {
    const thrown = await recordedIn(() => { throw new Error('no policy'); });
    expect(thrown.interception.contentMode).toBe('none');
    expect(thrown.prompts[0].prompt).toBe('');
    const junk = await recordedIn(() => 'everything' as ContentMode);
    expect(junk.interception.contentMode).toBe('none');
  });
});

describe('through the bridge', () => {
  test('a function of the interception picks the mode per actor; the dashboard query reads it back with the prompt', async () => {
    const upstream = await startFakeOpenAI();
    const filename = tempDbFile();
    const gw = await startGateway({
      providers: [openaiProvider({ keys: ['sk-content-openai-0000000001111'], baseURL: upstream.url })],
      recorder: sqliteStore({ filename }) as never,
      recordContent: ({ interception }) => (interception.actor.id === 'alice' ? 'hashed' : 'full'),
      recordContentSalt: SALT,
    });
    const ids: Record<string, string> = {};
    try {
      for (const token of ['user-token-alice', 'user-token-bob']) {
        const client = new OpenAI({ apiKey: token, baseURL: `${gw.url}/openai/v1`, maxRetries: 0 });
        const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }] }).withResponse();
        ids[token] = res.response.headers.get('x-aibridge-interception-id')!;
      }
    } finally {
      await gw.close();
      await upstream.close();
    }
    const reader = new SqliteRecorder({ filename });
    try {
      const alice = (await reader.interception(ids['user-token-alice']))!;
      expect(alice.interception.contentMode).toBe('hashed');
      expect(alice.prompts[0]).toMatchObject({ prompt: hmac(PROMPT), extra: { promptBytes: bytes(PROMPT) } });
      const bob = (await reader.interception(ids['user-token-bob']))!;
      expect(bob.interception.contentMode).toBe('full');
      expect(bob.prompts[0].prompt).toBe(PROMPT);
    } finally {
      await reader.close();
    }
  });

  test('the debug log holds no more than the mode allows: no prompt under none or hashed, a masked one under redacted', async () => {
    const upstream = await startFakeOpenAI();
    const modes: Record<string, ContentMode> = { alice: 'none', bob: 'redacted' };
    const gw = await startGateway({
      providers: [openaiProvider({ keys: ['sk-content-openai-0000000001111'], baseURL: upstream.url })],
      recordContent: ({ interception }) => modes[interception.actor.id], recordContentSalt: SALT,
    });
    try {
      for (const token of ['user-token-alice', 'user-token-bob']) {
        const client = new OpenAI({ apiKey: token, baseURL: `${gw.url}/openai/v1`, maxRetries: 0 });
        await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }] });
      }
      await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(2));
      const logged = gw.logs.lines.join('\n');
      expect(logged).not.toContain('bob@example.com');
      expect(logged).not.toContain('sk-live-abcdefghijklmnop1234');
      expect(logged).not.toContain('mail bob');
    } finally {
      await gw.close();
      await upstream.close();
    }
  });

  test('the debug log of an injected tool call holds its arguments as the mode keeps them: none gives their size only', async () => {
    const upstream = await startFakeOpenAI();
    upstream.behaviour = chatScript([
      { toolCalls: [{ id: 'call_add', name: 'bmcp_calc_add', arguments: '{"a":2,"b":3,"note":"carol@example.com"}' }] },
      { text: 'Five.' },
    ]);
    const gw = await startGateway({
      providers: [openaiProvider({ keys: ['sk-content-openai-0000000001111'], baseURL: upstream.url })],
      tools: new TestInjector(), recordContent: 'none', recordContentSalt: SALT,
    });
    try {
      const client = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/openai/v1`, maxRetries: 0 });
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Add 2 and 3.' }] });
      await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
      const call = gw.logs.lines.map((l) => JSON.parse(l)).find((l) => l.message === 'injected tool call');
      expect(call).toMatchObject({ tool: 'bmcp_calc_add', argsBytes: 40 });
      expect(call).not.toHaveProperty('arguments');
      expect(gw.logs.lines.join('\n')).not.toContain('carol@example.com');
    } finally {
      await gw.close();
      await upstream.close();
    }
  });

  test('without recordContent nothing changes: no mode recorded, the prompt kept', async () => {
    const upstream = await startFakeOpenAI();
    const gw = await startGateway({ providers: [openaiProvider({ keys: ['sk-content-openai-0000000001111'], baseURL: upstream.url })] });
    try {
      const client = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/openai/v1`, maxRetries: 0 });
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }] });
      await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
      expect(gw.recorder.interceptions[0]).not.toHaveProperty('contentMode');
      expect(gw.recorder.promptUsages[0].prompt).toBe(PROMPT);
    } finally {
      await gw.close();
      await upstream.close();
    }
  });
});

/** Versions 1 to 3 as a release before this one made them, with one ended interception in it. */
function oldStatements(qualify: (name: string) => string, dialect: 'sqlite' | 'postgres'): string[] {
  return MIGRATIONS.filter((m) => m.version <= 3).flatMap((m) => m.statements(dialect, qualify));
}

const OLD_ROW = `INSERT INTO interceptions (id, initiator_id, provider, provider_name, route, model, streaming, started_at, credential_kind,
  ended_at, status, http_status) VALUES ('old-1', 'alice', 'openai', 'openai', '/v1/chat/completions', 'gpt-4o', 0, ${T0}, 'centralized', ${T0 + 5}, 'completed', 200)`;

async function expectMigrated(store: SqliteRecorder | ReturnType<typeof postgresStore>): Promise<void> {
  const old = (await store.interception('old-1'))!;
  expect(old.interception).not.toHaveProperty('contentMode');
  expect(old.ended).not.toHaveProperty('guardEdits');
  store.recordInterception({ ...start('new-1'), contentMode: 'redacted' });
  store.recordInterceptionEnded({ id: 'new-1', endedAt: new Date(T0 + 9), status: 'completed', httpStatus: 200, guardEdits: ['request', 'response'] });
  await store.flush();
  const fresh = (await store.interception('new-1'))!;
  expect(fresh.interception.contentMode).toBe('redacted');
  expect(fresh.ended!.guardEdits).toEqual(['request', 'response']);
}

test('SqliteRecorder migrates a version 3 database to version 4: old rows without a mode, new ones with it', async () => {
  const filename = tempDbFile();
  const db = new Database(filename);
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
  for (const sql of oldStatements((n) => n, 'sqlite')) db.exec(sql);
  db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (1, 0), (2, 0), (3, 0)').run();
  db.exec(OLD_ROW);
  db.close();
  const store = sqliteStore({ filename });
  await expectMigrated(store);
  await store.close();
  const check = new Database(filename, { readonly: true });
  expect(check.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }]);
  const columns = (check.prepare('PRAGMA table_info(interceptions)').all() as Array<{ name: string; type: string }>).filter((c) => ['content_mode', 'guard_edits'].includes(c.name));
  expect(columns.map((c) => [c.name, c.type])).toEqual([['content_mode', 'TEXT'], ['guard_edits', 'TEXT']]);
  check.close();
});

requireService('PostgreSQL', pgAvailable())('PostgresRecorder', () => {
  test('migrates a version 3 schema to version 4', async () => {
    const schema = freshSchema();
    const admin = new Pool({ connectionString: PG_URL });
    const q = (name: string) => `"${schema}".${name}`;
    try {
      await admin.query(`CREATE SCHEMA "${schema}"`);
      await admin.query(`CREATE TABLE ${q('schema_migrations')} (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`);
      for (const sql of oldStatements(q, 'postgres')) await admin.query(sql);
      await admin.query(`INSERT INTO ${q('schema_migrations')} (version, applied_at) VALUES (1, 0), (2, 0), (3, 0)`);
      await admin.query(OLD_ROW.replace('INSERT INTO interceptions', `INSERT INTO ${q('interceptions')}`));
      const store = postgresStore({ schema });
      await store.ready();
      await expectMigrated(store);
      await store.close();
      const { rows } = await admin.query(`SELECT version FROM ${q('schema_migrations')} ORDER BY version`);
      expect(rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }]);
    } finally {
      await admin.end();
    }
  });
});
