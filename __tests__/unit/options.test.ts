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
      { provider: 'openai', keys: [{ hint: '****', state: 'healthy' }] },
      { provider: 'openai-eu', keys: [{ hint: '****', state: 'healthy' }] },
    ]);
    await bridge.close();
  });
});

describe('openaiProvider validates its options', () => {
  test.each([
    ['name', { keys: ['k'], name: 'Open AI' }],
    ['name', { keys: ['k'], name: '-x' }],
    ['baseURL', { keys: ['k'], baseURL: 'not a url' }],
    ['baseURL', { keys: ['k'], baseURL: 'ftp://x/v1' }],
    ['keys', {}],
    ['keys', { keys: [] }],
    ['keys', { keys: [''] }],
    ['keys', { keys: ['a', 'a'] }],
    ['byok', { keys: ['k'], byok: 'yes' }],
    ['timeouts.headersMs', { keys: ['k'], timeouts: { headersMs: 0 } }],
    ['timeouts.bogus', { keys: ['k'], timeouts: { bogus: 1 } }],
    ['cooldowns.maxMs', { keys: ['k'], cooldowns: { maxMs: 1.5 } }],
    ['kees', { kees: ['k'] }],
  ])('bad `%s`', (option, options) => {
    expect(() => openaiProvider(options as any)).toThrow(`openaiProvider: option \`${option}\``);
  });

  test('defaults', () => {
    const p = openaiProvider({ keys: ['sk-1'] });
    expect(p).toMatchObject({ kind: 'openai', name: 'openai', baseURL: 'https://api.openai.com/v1', byok: false, actorHeaders: false });
    expect(p.cooldowns).toEqual({ unauthorizedMs: 60_000, rateLimitedMs: 60_000, maxMs: 3_600_000 });
  });

  test('byok without pool keys is allowed', () => {
    expect(openaiProvider({ byok: true }).keys).toEqual([]);
  });
});
