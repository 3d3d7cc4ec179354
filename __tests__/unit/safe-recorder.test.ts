/** SafeRecorder: order per interception, deadlines, the queue bound, drops and a close() that always ends. */
import v8 from 'node:v8';
import vm from 'node:vm';
import winston from 'winston';
import { settlesWithin } from '../../lib/http/deadline';
import { MemoryTransport } from '../helpers/gateway';
import { SafeRecorder } from '../../lib/recorder/safe-recorder';
import type { Recorder } from '../../lib/recorder/types';

const logger = winston.createLogger({ silent: true });
const start = (id: string) => ({ id, initiatorId: 'u', provider: 'openai' as const, providerName: 'openai', route: '/r', model: 'm', streaming: false, startedAt: new Date(), credentialKind: 'centralized' as const });
const end = (id: string) => ({ id, endedAt: new Date(), status: 'completed' as const });

function recorderLog(delayFirstMs: number) {
  const log: string[] = [];
  let first = true;
  const slowOnce = (entry: string) => {
    if (first) {
      first = false;
      return new Promise<void>((r) => setTimeout(() => { log.push(entry); r(); }, delayFirstMs));
    }
    log.push(entry);
    return undefined;
  };
  const recorder: Recorder = {
    recordInterception: (r) => slowOnce(`start ${r.id}`),
    recordInterceptionEnded: (r) => { log.push(`end ${r.id}`); },
    recordTokenUsage: (r) => { log.push(`tokens ${r.interceptionId}`); },
    recordPromptUsage: () => undefined,
    recordToolUsage: () => undefined,
  };
  return { log, recorder };
}

test('calls of one interception arrive in order even when an async call is slow; others are not held up', async () => {
  const { log, recorder } = recorderLog(30);
  const safe = new SafeRecorder(recorder, logger);
  const a = safe.open();
  const b = safe.open();
  a.start(start('a'));
  a.tokenUsage({ interceptionId: 'a', msgId: 'm', input: 1, output: 1, cacheRead: 0, cacheWrite: 0, createdAt: new Date() });
  a.end(end('a'));
  b.start(start('b'));
  b.end(end('b'));
  expect(log).toEqual([]); // nothing runs on the caller's turn
  await new Promise((r) => setImmediate(r));
  expect(log).toEqual(['start b', 'end b']);
  await safe.close();
  expect(log).toEqual(['start b', 'end b', 'start a', 'tokens a', 'end a']);
});

test('exactly one start and one end per recording, end only after start', async () => {
  const { log, recorder } = recorderLog(0);
  const safe = new SafeRecorder(recorder, logger);
  const never = safe.open();
  never.end(end('x'));
  const r = safe.open();
  r.start(start('y'));
  r.start(start('y'));
  r.end(end('y'));
  r.end(end('y'));
  await safe.close();
  expect(log.sort()).toEqual(['end y', 'start y']);
});

test('throwing and rejecting calls are counted, never thrown', async () => {
  const safe = new SafeRecorder({
    recordInterception: () => { throw new Error('sync'); },
    recordInterceptionEnded: () => Promise.reject(new Error('async')),
    recordTokenUsage: () => undefined, recordPromptUsage: () => undefined, recordToolUsage: () => undefined,
  }, logger);
  const r = safe.open();
  r.start(start('z'));
  r.end(end('z'));
  await safe.close();
  expect(safe.failures).toBe(2);
});

const NEVER = () => new Promise<void>(() => undefined);
const usage = (id: string) => ({ interceptionId: id, msgId: 'm', input: 1, output: 1, cacheRead: 0, cacheWrite: 0, createdAt: new Date() });
const turn = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A recorder whose chosen calls never settle; it keeps nothing it is given. */
function stuckRecorder(stuck: Array<keyof Recorder>, log: string[] = []): Recorder {
  const call = (name: keyof Recorder) => (r: { id?: string; interceptionId?: string }) => {
    if (stuck.includes(name)) return NEVER();
    log.push(`${name} ${r.id ?? r.interceptionId}`);
    return undefined;
  };
  return {
    recordInterception: call('recordInterception'), recordInterceptionEnded: call('recordInterceptionEnded'),
    recordTokenUsage: call('recordTokenUsage'), recordPromptUsage: call('recordPromptUsage'), recordToolUsage: call('recordToolUsage'),
  };
}

describe('deadlines and the queue bound', () => {
  test('a call that never settles times out at its deadline, and the interception\'s next calls go on', async () => {
    const log: string[] = [];
    const safe = new SafeRecorder(stuckRecorder(['recordInterception'], log), logger, { timeoutMs: 30 });
    const r = safe.open();
    r.start(start('a'));
    r.tokenUsage(usage('a'));
    r.end(end('a'));
    await sleep(15);
    expect(log).toEqual([]);
    await sleep(200);
    expect(log).toEqual(['recordTokenUsage a', 'recordInterceptionEnded a']);
    expect(safe.timeouts).toBe(1);
    expect(safe.pending).toBe(1); // the recorder still holds the stuck call: it counts against the bound
  });

  test('a timed-out call retains nothing of its interception (records behind it are released)', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const safe = new SafeRecorder(stuckRecorder(['recordInterception', 'recordTokenUsage', 'recordInterceptionEnded']), logger, { timeoutMs: 10 });
    const refs: Array<WeakRef<object>> = [];
    (() => {
      const r = safe.open();
      r.start(start('a'));
      const tokens = usage('a');
      const ended = end('a');
      refs.push(new WeakRef(tokens), new WeakRef(ended), new WeakRef(r));
      r.tokenUsage(tokens);
      r.end(ended);
    })();
    await sleep(150);
    gc();
    expect(refs.map((ref) => ref.deref() === undefined)).toEqual([true, true, true]);
    expect(safe.timeouts).toBe(3);
  });

  test('the queue is bounded (calls in flight + queued); starts past it are dropped with their interception, ends of admitted starts are not', async () => {
    const log: string[] = [];
    const safe = new SafeRecorder(stuckRecorder(['recordInterception'], log), logger, { queueMax: 3, timeoutMs: 60_000 });
    const recordings = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, r: safe.open() }));
    for (const { id, r } of recordings) r.start(start(id));
    await turn();
    for (const { id, r } of recordings) {
      r.tokenUsage(usage(id));
      r.end(end(id));
    }
    await turn();
    // a, b, c admitted (and stuck); d, e dropped with everything after them; the ends of a, b, c pass the bound.
    expect(safe.dropped).toBe(2 + 2 + 2 + 3);
    expect(safe.pending).toBe(3 + 3);
    expect(log).toEqual([]);
  });

  test('a call waiting behind a settling one runs in a later batch, never inside that promise reaction', async () => {
    const log: string[] = [];
    let settle!: () => void;
    const safe = new SafeRecorder({
      ...stuckRecorder([], log),
      recordInterception: () => new Promise<void>((r) => (settle = r)),
    }, logger);
    const r = safe.open();
    r.start(start('a'));
    r.end(end('a'));
    await turn();
    settle();
    for (let i = 0; i < 10; i++) await Promise.resolve();
    await new Promise((r) => process.nextTick(r));
    expect(log).toEqual([]);
    await turn();
    expect(log).toEqual(['recordInterceptionEnded a']);
  });

  test('close() resolves by its deadlines with calls that never settle and a recorder.close() that never resolves', async () => {
    const recorder = { ...stuckRecorder(['recordInterception', 'recordInterceptionEnded']), close: NEVER };
    const safe = new SafeRecorder(recorder, logger, { timeoutMs: 50 });
    const r = safe.open();
    r.start(start('a'));
    r.end(end('a'));
    const began = Date.now();
    expect(await settlesWithin(safe.close(), 2_000)).toBe(true);
    // One deadline for the flush (the end, stuck behind the start, did not get its turn) and one for close().
    expect(Date.now() - began).toBeLessThan(1_000);
    expect(safe.dropped).toBe(1);
    const late = safe.open();
    late.start(start('late'));
    expect(safe.dropped).toBe(2);
  });

  test('close() resolves as soon as what is queued is done, not at the flush deadline', async () => {
    const log: string[] = [];
    const safe = new SafeRecorder(stuckRecorder([], log), logger, { timeoutMs: 5_000 });
    const r = safe.open();
    r.start(start('a'));
    r.end(end('a'));
    const began = Date.now();
    await safe.close();
    expect(Date.now() - began).toBeLessThan(1_000);
    expect(log).toEqual(['recordInterception a', 'recordInterceptionEnded a']);
  });

  test('timeouts, drops and failures are logged at most once per interval, with the count held back', async () => {
    const logs = new MemoryTransport();
    const safe = new SafeRecorder({
      ...stuckRecorder(['recordInterception']),
      recordTokenUsage: () => { throw new Error('db down'); },
    }, winston.createLogger({ transports: [logs] }), { timeoutMs: 10, queueMax: 20 });
    for (let i = 0; i < 30; i++) {
      const r = safe.open();
      r.start(start(String(i)));
      r.tokenUsage(usage(String(i)));
    }
    // Each admitted start times out after 10 ms; a busy machine may take longer to run the timers.
    for (let waited = 0; safe.timeouts < 10 && waited < 5_000; waited += 20) await sleep(20);
    // Admitted: 10 starts (stuck) and their 10 usage calls (throwing); the other 20 starts are dropped with their usage.
    expect(safe.timeouts).toBe(10);
    expect(safe.failures).toBe(10);
    expect(safe.dropped).toBe(40);
    const count = (text: string) => logs.lines.filter((l) => l.includes(text)).length;
    expect(count('recorder call timed out')).toBe(1);
    expect(count('recorder calls dropped')).toBe(1);
    expect(count('recorder call failed')).toBe(1);
  });
});
