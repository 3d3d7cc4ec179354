/** Recorder memory in bytes: SafeRecorder's queue bound by queued record bytes, and the per-record text cap. */
import winston from 'winston';
import { MemoryTransport } from '../helpers/gateway';
import { SafeRecorder } from '../../lib/recorder/safe-recorder';
import { limitRecord, truncationMarker } from '../../lib/recorder/record-limits';
import type { PromptUsageRecord, Recorder, ToolUsageRecord } from '../../lib/recorder/types';

const start = (id: string) => ({ id, initiatorId: 'u', provider: 'openai' as const, providerName: 'openai', route: '/r', model: 'm', streaming: false, startedAt: new Date(), credentialKind: 'centralized' as const });
const turn = () => new Promise((r) => setImmediate(r));
const MiB = 1024 * 1024;

/** A recorder that never finishes a usage call (a store that hangs), holding each record it got. */
function slowRecorder(): Recorder & { held: unknown[] } {
  const held: unknown[] = [];
  const hang = (r: unknown) => {
    held.push(r);
    return new Promise<void>(() => undefined);
  };
  return { held, recordInterception: () => undefined, recordInterceptionEnded: hang, recordTokenUsage: hang, recordPromptUsage: hang, recordToolUsage: hang };
}

test('a slow recorder fed large prompts stays under the byte bound; past it calls are dropped, counted and logged', async () => {
  const logs = new MemoryTransport();
  const logger = winston.createLogger({ level: 'debug', transports: [logs] });
  const recorder = slowRecorder();
  const bound = 8 * MiB;
  const safe = new SafeRecorder(recorder, logger, { timeoutMs: 60_000, queueMax: 10_000, queueMaxBytes: bound, maxRecordedTextBytes: MiB });
  const prompt = 'p'.repeat(512 * 1024);
  for (let i = 0; i < 100; i++) {
    const r = safe.open();
    r.start(start(`i${i}`));
    r.promptUsage({ interceptionId: `i${i}`, msgId: '', prompt, createdAt: new Date() });
    await turn();
  }
  // 100 prompts of 512 KiB would be 50 MiB held by the recorder; the bound admits about 16 of them.
  const heldBytes = recorder.held.reduce<number>((n, r) => n + ((r as PromptUsageRecord).prompt?.length ?? 0), 0);
  expect(heldBytes).toBeLessThanOrEqual(bound);
  expect(safe.pendingBytes).toBeLessThanOrEqual(bound);
  expect(safe.dropped).toBeGreaterThan(50);
  const warnings = logs.lines.map((l) => JSON.parse(l)).filter((e) => e.message === 'recorder calls dropped');
  expect(warnings.length).toBe(1);
  expect(warnings[0]).toMatchObject({ reason: 'queue bytes full', queueMaxBytes: bound });
});

test('bytes are given back when calls settle, so a recorder that catches up admits again', async () => {
  const logger = winston.createLogger({ silent: true });
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const recorder: Recorder = {
    recordInterception: () => gate, recordInterceptionEnded: () => gate, recordTokenUsage: () => gate,
    recordPromptUsage: () => gate, recordToolUsage: () => gate,
  };
  const safe = new SafeRecorder(recorder, logger, { timeoutMs: 60_000, queueMaxBytes: 2 * MiB, maxRecordedTextBytes: MiB });
  const r = safe.open();
  r.start(start('a'));
  r.promptUsage({ interceptionId: 'a', msgId: '', prompt: 'x'.repeat(1000 * 1000), createdAt: new Date() });
  await turn();
  expect(safe.pendingBytes).toBeGreaterThan(1000 * 1000);
  release();
  await safe.close();
  expect(safe.pendingBytes).toBe(0);
  expect(safe.dropped).toBe(0);
});

describe('limitRecord: one record stores at most maxRecordedTextBytes of each text', () => {
  const cap = 1024;

  test('a prompt over the cap is cut on a UTF-8 boundary, marked, and keeps its original length in extra', () => {
    const prompt = 'é'.repeat(3000); // 6,000 UTF-8 bytes
    const { record } = limitRecord('recordPromptUsage', { interceptionId: 'i', msgId: '', prompt, createdAt: new Date() }, cap);
    const out = record as PromptUsageRecord;
    expect(Buffer.byteLength(out.prompt)).toBeLessThanOrEqual(cap);
    expect(out.prompt.endsWith(truncationMarker(6000))).toBe(true);
    expect(out.prompt).not.toContain('\uFFFD');
    expect(out.prompt.startsWith('éé')).toBe(true);
    expect(out.extra).toEqual({ promptBytes: 6000 });
  });

  test('text under the cap is left as it is (the same object)', () => {
    const r = { interceptionId: 'i', msgId: '', prompt: 'short', createdAt: new Date() };
    expect(limitRecord('recordPromptUsage', r, cap).record).toBe(r);
  });

  test('tool arguments are capped by their serialised size; the invocation error too', () => {
    const args = { text: 'a'.repeat(5000) };
    const r: ToolUsageRecord = { interceptionId: 'i', msgId: 'm', tool: 't', toolCallId: 'c', args, injected: true, invocationError: 'e'.repeat(2000), createdAt: new Date() };
    const out = limitRecord('recordToolUsage', r, cap).record as ToolUsageRecord;
    const serialised = JSON.stringify(args).length;
    expect(typeof out.args).toBe('string');
    expect(Buffer.byteLength(out.args as string)).toBeLessThanOrEqual(cap);
    expect(out.args as string).toContain(truncationMarker(serialised));
    expect(Buffer.byteLength(out.invocationError!)).toBeLessThanOrEqual(cap);
    expect(out.extra).toEqual({ argsBytes: serialised, invocationErrorBytes: 2000 });
    expect(r.args).toBe(args); // the caller's record is not changed
  });

  test('thoughts and error messages are capped; existing extra is kept', () => {
    const thought = limitRecord('recordModelThought', { interceptionId: 'i', msgId: 'm', content: 'c'.repeat(4000), source: 'thinking' as const, createdAt: new Date() }, cap).record;
    expect(thought).toMatchObject({ extra: { contentBytes: 4000 } });
    const ended = limitRecord('recordInterceptionEnded', { id: 'i', endedAt: new Date(), status: 'failed' as const, errorMessage: 'x'.repeat(3000) }, cap).record;
    expect(ended).toMatchObject({ extra: { errorMessageBytes: 3000 } });
  });
});
