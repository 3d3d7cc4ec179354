import winston from 'winston';
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
