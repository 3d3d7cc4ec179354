/** KeyPool over a CredentialSource: credentials asked per attempt, learned before use, a failed source failing over. */
import winston from 'winston';
import { KeyPool, type AttemptResult, type AttemptTrace, type Credential } from '../../lib/keypool/key-pool';
import { MemoryKeyStateStore } from '../../lib/keypool/memory-key-state-store';
import { staticCredentials, staticKey, type CredentialEntry, type CredentialSource, type UpstreamCredential } from '../../lib/keypool/credentials';
import { keyFingerprint } from '../../lib/redaction/key-mask';

const logger = winston.createLogger({ silent: true });
const COOLDOWNS = { unauthorizedMs: 60_000, rateLimitedMs: 60_000, maxMs: 3_600_000 };
const ok = (): AttemptResult => ({ status: 200, headers: {}, discard: () => undefined });

function recording() {
  const used: UpstreamCredential[] = [];
  return { used, attempt: async (c: Credential) => { used.push(c.upstream); return ok(); } };
}

test('static credentials: each attempt gets the same object, learned once, keyed in state by the fingerprint of its id', async () => {
  const a = staticKey('sk-first-aaaaaaaaaaaaaaaaaaaa', 'first');
  const learned: CredentialEntry[] = [];
  const store = new MemoryKeyStateStore();
  const pool = new KeyPool(staticCredentials([a]), store, COOLDOWNS, logger, undefined, (c) => learned.push(c));
  const { used, attempt } = recording();
  const traces: AttemptTrace[] = [{ attempts: 0 }, { attempts: 0 }];
  await pool.walk(attempt, traces[0]);
  await pool.walk(attempt, traces[1]);
  expect(used).toEqual([a, a]);
  expect(learned).toEqual([a]);
  expect(traces[0].credential).toBe(traces[1].credential);
  expect(traces[0].credential).toMatchObject({ upstream: a, hint: a.hint, kind: 'centralized' });

  await pool.walk(async () => ({ status: 401, headers: {}, discard: () => undefined }), { attempts: 0 }).catch(() => undefined);
  expect(store.getCooldowns([keyFingerprint('first')])[0]).toMatchObject({ reason: 'unauthorized' });
});

/** A source whose entry 0 gives what `give` says, entry 1 a static key. */
function source(give: () => UpstreamCredential | Promise<UpstreamCredential>): CredentialSource {
  const b = staticKey('sk-second-bbbbbbbbbbbbbbbbbbb', 'second');
  return {
    entries: [{ id: 'first', hint: 'ghu_...0001', secrets: ['ghu_longlived_secret_000000001'] }, b],
    current: (i) => (i === 0 ? give() : b),
  };
}

test('a new credential from the source is learned before the attempt that uses it', async () => {
  const events: string[] = [];
  let token = 'tok-one-aaaaaaaaaaaaaaaaaaaa';
  const credentials = new Map<string, UpstreamCredential>();
  const give = async () => {
    if (!credentials.has(token)) credentials.set(token, { type: 'key', id: 'first', hint: 'ghu_...0001', secrets: [token], key: token });
    return credentials.get(token)!;
  };
  const pool = new KeyPool(source(give), new MemoryKeyStateStore(), COOLDOWNS, logger, undefined, (c) => events.push(`learn ${c.secrets[0]}`));
  const attempt = async (c: Credential) => { events.push(`use ${c.upstream.secrets[0]}`); return ok(); };
  await pool.walk(attempt, { attempts: 0 });
  await pool.walk(attempt, { attempts: 0 });
  token = 'tok-two-bbbbbbbbbbbbbbbbbbbb';
  await pool.walk(attempt, { attempts: 0 });
  expect(events).toEqual([
    'learn tok-one-aaaaaaaaaaaaaaaaaaaa', 'use tok-one-aaaaaaaaaaaaaaaaaaaa', 'use tok-one-aaaaaaaaaaaaaaaaaaaa',
    'learn tok-two-bbbbbbbbbbbbbbbbbbbb', 'use tok-two-bbbbbbbbbbbbbbbbbbbb',
  ]);
});

test.each([
  ['rejects', () => Promise.reject(new Error('exchange refused ghu_longlived_secret_000000001'))],
  ['throws', () => { throw new Error('exchange refused'); }],
  ['gives nothing', () => undefined as unknown as UpstreamCredential],
])('a source that %s for an entry: that entry is cooled, noted in the trace, and the pool fails over', async (_, give) => {
  const store = new MemoryKeyStateStore();
  const pool = new KeyPool(source(give), store, COOLDOWNS, logger);
  const { used, attempt } = recording();
  const trace: AttemptTrace = { attempts: 0, log: [] };
  expect((await pool.walk(attempt, trace)).status).toBe(200);
  expect(used.map((c) => c.id)).toEqual(['second']);
  expect(trace).toMatchObject({ attempts: 2, failovers: 1, credential: { hint: 'sk-s...bbbb' } });
  expect(trace.log).toEqual([
    expect.objectContaining({ credentialHint: 'ghu_...0001', errorType: 'unauthorized' }),
    expect.objectContaining({ credentialHint: 'sk-s...bbbb', httpStatus: 200 }),
  ]);
  expect(store.getCooldowns([keyFingerprint('first')])[0]).toMatchObject({ reason: 'unauthorized' });
  expect((await pool.status()).map((s) => s.state)).toEqual(['cooling', 'healthy']);
});

test('a request that goes away while its credential is fetched ends there: no failover, no cooldown', async () => {
  const store = new MemoryKeyStateStore();
  const abort = new AbortController();
  const give = () => new Promise<UpstreamCredential>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason)));
  const pool = new KeyPool(source(give), store, COOLDOWNS, logger);
  const { used, attempt } = recording();
  const walking = pool.walk(attempt, { attempts: 0 }, abort.signal);
  await new Promise((resolve) => setImmediate(resolve));
  abort.abort(new Error('client gone'));
  await expect(walking).rejects.toThrow('client gone');
  expect(used).toEqual([]);
  expect(store.getCooldowns([keyFingerprint('first')])).toEqual([undefined]);
});

test('a walk needs an abort signal only when the source may make it wait: static keys never do, a host source may', () => {
  const fixed = new KeyPool(staticCredentials([staticKey('sk-fixed-aaaaaaaaaaaaaaaaaaaa')]), new MemoryKeyStateStore(), COOLDOWNS, logger);
  expect(fixed.mayWaitForCredentials).toBe(false);
  const strings = new KeyPool(['sk-plain-aaaaaaaaaaaaaaaaaaaa'], new MemoryKeyStateStore(), COOLDOWNS, logger);
  expect(strings.mayWaitForCredentials).toBe(false);
  const hosts = new KeyPool(source(async () => staticKey('sk-later-aaaaaaaaaaaaaaaaaaaa')), new MemoryKeyStateStore(), COOLDOWNS, logger);
  expect(hosts.mayWaitForCredentials).toBe(true);
});
