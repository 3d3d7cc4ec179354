/** What one record stores through the real bridge: a huge prompt is cut at maxRecordedTextBytes, marked, its size kept. */
import OpenAI from 'openai';
import { openaiProvider, SqliteRecorder } from '../../lib';
import { randomBytes } from 'node:crypto';
import { MAX_RECORDED_LABEL_BYTES, truncationMarker } from '../../lib/recorder/record-limits';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';
import { cleanupStores, pgAvailable, postgresStore, tempDbFile } from '../helpers/stores';

const MiB = 1024 * 1024;
const KEY = 'sk-pool-key-00000000000000001234';
let upstream: FakeUpstream;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
});
afterAll(async () => {
  await upstream.close();
  await cleanupStores();
});

/** A 3 MB user message, mostly two-byte characters, so the cut has to fall between the bytes of one. */
const hugePrompt = 'a' + 'é'.repeat(1_500_000) + 'z';
const hugeBytes = Buffer.byteLength(hugePrompt);

async function send(gw: Gateway): Promise<string> {
  const client = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/openai/v1`, maxRetries: 0 });
  const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: hugePrompt }] }).withResponse();
  return response.headers.get('x-aibridge-interception-id')!;
}

function expectCut(prompt: string, extra: Record<string, number> | undefined, cap: number): void {
  expect(Buffer.byteLength(prompt)).toBeLessThanOrEqual(cap);
  expect(prompt.endsWith(truncationMarker(hugeBytes))).toBe(true);
  expect(prompt.startsWith('aéé')).toBe(true);
  expect(prompt).not.toContain('\uFFFD');
  expect(extra).toEqual({ promptBytes: hugeBytes });
}

test('a 3 MB user message is recorded cut to the default 1 MiB, with the marker and its original length', async () => {
  const gw = await startGateway({ providers: [openaiProvider({ keys: [KEY], baseURL: upstream.url })] });
  try {
    const id = await send(gw);
    await eventually(() => expect(gw.recorder.forInterception(id).promptUsages).toHaveLength(1));
    const [p] = gw.recorder.forInterception(id).promptUsages;
    expectCut(p!.prompt, p!.extra, MiB);
    // The upstream got the whole message: only the record is cut.
    expect(upstream.requests.at(-1)!.body).toContain('z"');
  } finally {
    await gw.close();
  }
});

test('SqliteRecorder stores the cut prompt and its extra; maxRecordedTextBytes sets the cap', async () => {
  const store = new SqliteRecorder({ filename: tempDbFile(), flushIntervalMs: 10 });
  const gw = await startGateway({ providers: [openaiProvider({ keys: [KEY], baseURL: upstream.url })], recorder: store, maxRecordedTextBytes: 64 * 1024 });
  try {
    const id = await send(gw);
    let detail: Awaited<ReturnType<SqliteRecorder['interception']>>;
    for (let i = 0; i < 100 && !(detail = await store.interception(id))?.ended; i++) {
      await store.flush();
      await new Promise((r) => setTimeout(r, 20));
    }
    const [p] = detail!.prompts;
    expectCut(p!.prompt, p!.extra, 64 * 1024);
  } finally {
    await gw.close();
  }
});

/** A client-chosen model name: random, so PostgreSQL cannot compress it under its index's 2,704-byte row limit. */
const hugeModel = `m-${randomBytes(3_000_000).toString('base64')}`;

async function chatWithModel(gw: Gateway, model: string, user: string): Promise<string> {
  const res = await fetch(`${gw.url}/openai/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': user },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await res.arrayBuffer();
  return res.headers.get('x-aibridge-interception-id')!;
}

test('a 4 MB model name is recorded cut to a short label, with the marker and its original length', async () => {
  const gw = await startGateway({ providers: [openaiProvider({ keys: [KEY], baseURL: upstream.url })] });
  try {
    const id = await chatWithModel(gw, hugeModel, 'user-token-alice');
    await eventually(() => expect(gw.recorder.forInterception(id).interception).toBeDefined());
    const { model } = gw.recorder.forInterception(id).interception!;
    expect(Buffer.byteLength(model)).toBeLessThanOrEqual(MAX_RECORDED_LABEL_BYTES);
    expect(model.startsWith('m-')).toBe(true);
    expect(model.endsWith(truncationMarker(hugeModel.length))).toBe(true);
  } finally {
    await gw.close();
  }
});

(pgAvailable() ? test : test.skip)('PostgresRecorder: one client\'s huge model name does not make the batch it shares with others fail', async () => {
  // Both starts land in one batch; a row over the btree limit of the (model, started_at) index failed all of it.
  const store = postgresStore({ flushIntervalMs: 300 });
  const gw = await startGateway({ providers: [openaiProvider({ keys: [KEY], baseURL: upstream.url })], recorder: store });
  try {
    const [hostile, plain] = await Promise.all([chatWithModel(gw, hugeModel, 'user-token-alice'), chatWithModel(gw, 'gpt-4o-mini', 'user-token-bob')]);
    await store.flush();
    expect((await store.interception(plain))?.interception.model).toBe('gpt-4o-mini');
    expect((await store.interception(hostile))?.interception.model.endsWith(truncationMarker(hugeModel.length))).toBe(true);
    expect(store.stats().dropped).toBe(0);
  } finally {
    await gw.close();
  }
});

test('usage details an upstream invents (a 2 MB name, 10,000 entries) are not kept whole in the token record', async () => {
  const details: Record<string, number> = { ['d'.repeat(2_000_000)]: 1 };
  for (let i = 0; i < 10_000; i++) details[`detail_${i}`] = i;
  upstream.behaviour = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, prompt_tokens_details: details, completion_tokens_details: { reasoning_tokens: 1 } } }));
  };
  const gw = await startGateway({ providers: [openaiProvider({ keys: [KEY], baseURL: upstream.url })] });
  try {
    const id = await chatWithModel(gw, 'gpt-4o-mini', 'user-token-alice');
    await eventually(() => expect(gw.recorder.forInterception(id).tokenUsages).toHaveLength(1));
    const [usage] = gw.recorder.forInterception(id).tokenUsages;
    expect(usage).toMatchObject({ input: 5, output: 2 });
    // The real details stay: the total and the reasoning count (whatever prefix the API gives it).
    expect(usage.extra).toMatchObject({ total_tokens: 7 });
    expect(Object.entries(usage.extra!).filter(([k, v]) => k.endsWith('_reasoning_tokens') && v === 1)).toHaveLength(1);
    expect(JSON.stringify(usage.extra).length).toBeLessThanOrEqual(MAX_RECORDED_LABEL_BYTES * 4);
  } finally {
    upstream.behaviour = undefined;
    await gw.close();
  }
});

test('createBridge checks the new limits, naming them', () => {
  const { createBridge } = require('../../lib') as typeof import('../../lib');
  const providers = [openaiProvider({ keys: [KEY] })];
  const actor = () => ({ id: 'a' });
  expect(() => createBridge({ providers, actor, maxRecordedTextBytes: 100 })).toThrow(/`maxRecordedTextBytes` must be at least 1024/);
  expect(() => createBridge({ providers, actor, recorderQueueMaxBytes: 0 })).toThrow(/`recorderQueueMaxBytes` must be a positive integer/);
});
