import { createBridge, openaiProvider, MemoryRecorder } from '../../lib';

const actor = () => ({ id: 'u' });
const provider = () => openaiProvider({ keys: ['sk-1'] });

describe('createBridge validates its options and names the bad one', () => {
  test.each([
    ['providers', { actor }],
    ['providers', { providers: [], actor }],
    ['providers', { providers: [{}], actor }],
    ['actor', { providers: [provider()] }],
    ['actor', { providers: [provider()], actor: 'alice' }],
    ['recorder', { providers: [provider()], actor, recorder: {} }],
    ['logger', { providers: [provider()], actor, logger: console.log }],
    ['keyState', { providers: [provider()], actor, keyState: {} }],
    ['maxBodyBytes', { providers: [provider()], actor, maxBodyBytes: -1 }],
    ['recordr', { providers: [provider()], actor, recordr: new MemoryRecorder() }],
  ])('bad `%s`', (option, options) => {
    expect(() => createBridge(options as any)).toThrow(new RegExp(`createBridge: option \`${option}\``));
  });

  test('duplicate provider names', () => {
    expect(() => createBridge({ providers: [provider(), provider()], actor })).toThrow(/option `providers` has two providers named "openai"/);
  });

  test('a valid bridge is an Express router with close() and keyPoolStatus()', async () => {
    const bridge = createBridge({ providers: [provider(), openaiProvider({ name: 'openai-eu', keys: ['sk-2'] })], actor });
    expect(typeof bridge).toBe('function');
    expect(typeof bridge.use).toBe('function');
    expect(await bridge.keyPoolStatus()).toEqual([
      { provider: 'openai', store: 'memory', keys: [{ hint: '****', state: 'healthy' }] },
      { provider: 'openai-eu', store: 'memory', keys: [{ hint: '****', state: 'healthy' }] },
    ]);
    await bridge.close();
  });
});

test('keyPoolStatus names a custom key-state store that does not describe itself as custom', async () => {
  const keyState = { getCooldowns: (fps: readonly string[]) => fps.map(() => undefined), markCooldown: () => undefined };
  const bridge = createBridge({ providers: [provider()], actor, keyState });
  expect((await bridge.keyPoolStatus())[0].store).toBe('custom');
  await bridge.close();
});

describe('openaiProvider validates its options', () => {
  test.each([
    ['name', { keys: ['k'], name: 'Open AI' }],
    ['name', { keys: ['k'], name: '-x' }],
    ['baseURL', { keys: ['k'], baseURL: 'not a url' }],
    ['baseURL', { keys: ['k'], baseURL: 'ftp://x/v1' }],
    ['keys', {}],
    ['keys', { keys: [] }],
    ['keys', { keys: 'sk-1' }],
    ['keys[0]', { keys: [''] }],
    ['keys[1]', { keys: ['a', 'a'] }],
    ['byok', { keys: ['k'], byok: 'yes' }],
    ['timeouts.headersMs', { keys: ['k'], timeouts: { headersMs: 0 } }],
    ['timeouts.bogus', { keys: ['k'], timeouts: { bogus: 1 } }],
    ['timeouts.totalMs', { keys: ['k'], timeouts: { totalMs: -1 } }],
    ['cooldowns.maxMs', { keys: ['k'], cooldowns: { maxMs: 1.5 } }],
    ['kees', { kees: ['k'] }],
  ])('bad `%s`', (option, options) => {
    expect(() => openaiProvider(options as any)).toThrow(`openaiProvider: option \`${option}\``);
  });

  test('defaults', () => {
    const p = openaiProvider({ keys: ['sk-1'] });
    expect(p).toMatchObject({ kind: 'openai', name: 'openai', baseURL: 'https://api.openai.com/v1', byok: false, actorHeaders: false });
    expect(p.cooldowns).toEqual({ unauthorizedMs: 60_000, rateLimitedMs: 60_000, maxMs: 3_600_000 });
    expect(p.timeouts).toEqual({ connectMs: 10_000, headersMs: 600_000, idleMs: 300_000, totalMs: 1_800_000 });
  });

  test('byok without pool keys is allowed', () => {
    expect(openaiProvider({ byok: true }).keys).toEqual([]);
  });
});

describe('provider keys with whitespace or control characters', () => {
  const SECRET = 'sk-proj-secretsecretsecret1234';
  test.each([
    ['a leading space', ` ${SECRET}`],
    ['a trailing newline', `${SECRET}\n`],
    ['a trailing CRLF', `${SECRET}\r\n`],
    ['an inner tab', `sk-proj\t${SECRET}`],
    ['a no-break space', `${SECRET}\u00a0`],
    ['a NUL byte', `${SECRET}\u0000`],
    ['a zero-width space', `\u200b${SECRET}`],
  ])('%s → rejected, naming the index only', (_name, bad) => {
    let message = '';
    try {
      openaiProvider({ keys: ['sk-good-key-1', bad] });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^openaiProvider: option `keys\[1\]` must not contain whitespace/);
    expect(message).not.toContain('secret');
  });

  test('a duplicate key is named by both indexes, not shown', () => {
    expect(() => openaiProvider({ keys: [SECRET, 'sk-other', SECRET] })).toThrow(/option `keys\[2\]` is the same key as `keys\[0\]`/);
    expect(() => openaiProvider({ keys: [SECRET, SECRET] })).not.toThrow(/secret/);
  });
});

describe('a baseURL without the path its routes expect', () => {
  function warnings(baseURL: string): string[] {
    const warn = jest.fn();
    const logger = { warn, error: jest.fn(), info: jest.fn(), debug: jest.fn() };
    createBridge({ providers: [openaiProvider({ keys: ['sk-1'], baseURL })], actor, logger: logger as any });
    return warn.mock.calls.map((c) => String(c[0]));
  }

  test.each(['https://api.openai.com', 'https://api.openai.com/'])('%s → a warning naming the likely fix', (baseURL) => {
    expect(warnings(baseURL)).toEqual([expect.stringContaining('did you mean https://api.openai.com/v1?')]);
  });

  test('credentials in the URL never reach the warning', () => {
    const [line] = warnings('https://user:hunter2@llm.example.com');
    expect(line).toContain('did you mean https://llm.example.com/v1?');
    expect(line).not.toContain('hunter2');
  });

  test.each(['https://api.openai.com/v1', 'https://llm.example.com/openai/v1', 'http://127.0.0.1:8080/api'])('%s → no warning', (baseURL) => {
    expect(warnings(baseURL)).toEqual([]);
  });
});
