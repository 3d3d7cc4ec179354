/** API dump tests: a fake upstream and gateways with dumps on, and reading the dump directories back. */
import * as fs from 'node:fs';
import type http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { openaiProvider, type BridgeOptions } from '../../lib';
import { startFakeOpenAI, type FakeUpstream } from './fake-openai';
import { startGateway, type Gateway } from './gateway';

export const DUMP_KEYS = ['sk-dump-key-one-aaaaaaaaaaaa1111', 'sk-dump-key-two-bbbbbbbbbbbb2222'];
export const DUMP_HINTS = ['sk-d...1111', 'sk-d...2222'];
export const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] };

/** A fresh temporary directory (removed by {@link removeTempDirs}). */
const made: string[] = [];
export function tempDir(prefix = 'aibridge-dumps-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** The folders under `dir` (none when it does not exist). */
export function dumpFolders(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** The attempt files of one folder, sorted, with their text. */
export function attemptFiles(dir: string, id: string): Array<{ name: string; text: string }> {
  const folder = path.join(dir, id);
  if (!fs.existsSync(folder)) return [];
  return fs.readdirSync(folder).sort().map((name) => ({ name, text: fs.readFileSync(path.join(folder, name), 'utf8') }));
}

/** Every byte of every file under `dir`, as text. */
export function everyByte(dir: string): string {
  let out = '';
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out += fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
  }
  return out;
}

/** Bytes of all files under `dir`. */
export function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/**
 * The suite set-up: one fake upstream for the file (reset before each test), gateways made per test (closed after
 * it), temporary directories removed at the end. Read `suite.upstream` inside tests.
 */
export function dumpSuite() {
  const gateways: Gateway[] = [];
  const suite = {
    upstream: undefined as unknown as FakeUpstream,
    /** A gateway with `dump`, over one OpenAI provider with {@link DUMP_KEYS} (`provider` adds options), or with `options` given. */
    async gateway(dump: BridgeOptions['dump'], provider: Record<string, unknown> = {}, options: Partial<BridgeOptions> = {}): Promise<Gateway> {
      const gw = await startGateway({ providers: [openaiProvider({ baseURL: suite.upstream.url, keys: DUMP_KEYS, ...provider })], dump, ...options });
      gateways.push(gw);
      return gw;
    },
    /** Closes `gw` now (a test that reads what close() left); it is not closed again after the test. */
    async close(gw: Gateway): Promise<void> {
      gateways.splice(gateways.indexOf(gw), 1);
      await gw.close();
    },
  };
  beforeAll(async () => {
    suite.upstream = await startFakeOpenAI();
  });
  afterAll(async () => {
    await suite.upstream.close();
    removeTempDirs();
  });
  beforeEach(() => {
    suite.upstream.requests.length = 0;
    suite.upstream.behaviour = undefined;
  });
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gw) => gw.close()));
  });
  return suite;
}

/** A chat completion request as Alice (`headers` added). */
export function chat(gw: Gateway, body: Record<string, unknown> = CHAT, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gw.url}/openai/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice', ...headers }, body: JSON.stringify(body),
  });
}

/** An upstream answer of a chat completion whose text is `size` times `char`; returns the body it sends. */
export function bigAnswer(upstream: FakeUpstream, size: number, char: string): string {
  const body = JSON.stringify({ id: 'chatcmpl-big', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: char.repeat(size) }, finish_reason: 'stop' }] });
  upstream.behaviour = (_req: unknown, res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  };
  return body;
}
