/** A batch as the SQL stores write it: flat row groups per kind, the Postgres array parameters, the queued size of a record. */
import { columnsOfRow, groupBatch, ROW_KINDS } from '../../lib/recorder/row-groups';
import { batchQueries } from '../../lib/recorder/postgres-batch';
import { limitRecord, recordBytes } from '../../lib/recorder/record-limits';
import type { QueuedRecord } from '../../lib/recorder/rows';

const at = new Date(1_700_000_000_000);
const start = (id: string, model = 'm'): QueuedRecord => ({
  kind: 'start', r: { id, initiatorId: 'u', provider: 'openai', providerName: 'openai', route: '/r', model, streaming: true, startedAt: at, credentialKind: 'centralized', metadata: { team: 'a' } },
});
const end = (id: string): QueuedRecord => ({ kind: 'end', r: { id, endedAt: at, status: 'completed', httpStatus: 200, attempts: [{ credentialHint: 'h', httpStatus: 200, durationMs: 3 }] } });
const prompt = (id: string, text: string, key: string): QueuedRecord => ({ kind: 'prompt', r: { interceptionId: id, msgId: '', prompt: text, createdAt: at }, key });

test('an interception whose start and end share a batch is one whole row: the start columns, then the end columns after its id', () => {
  const groups = groupBatch([start('a'), prompt('a', 'p1', 'k1'), end('a')]);
  expect(groups.map((g) => g.kind)).toEqual(['whole', 'prompt']);
  const whole = groups[0]!;
  expect(whole.width).toBe(columnsOfRow('whole').length);
  expect(whole.values).toHaveLength(whole.width);
  const row = Object.fromEntries(columnsOfRow('whole').map((c, i) => [c, whole.values[i]]));
  expect(row).toMatchObject({ id: 'a', model: 'm', streaming: 1, started_at: at.getTime(), metadata: '{"team":"a"}', ended_at: at.getTime(), status: 'completed', http_status: 200 });
  expect(JSON.parse(row.attempts as string)).toEqual([{ credentialHint: 'h', httpStatus: 200, durationMs: 3 }]);
  expect(groups[1]!.values).toEqual(['a', '', 'p1', at.getTime(), null, 'k1']);
});

test('groups come in statement order, one row per interception id (the last queued), child rows in queue order', () => {
  const groups = groupBatch([prompt('b', 'p2', 'k2'), end('c'), start('b', 'old'), start('b', 'new'), prompt('a', 'p1', 'k1')]);
  expect(groups.map((g) => g.kind)).toEqual(ROW_KINDS.filter((k) => ['start', 'end', 'prompt'].includes(k)));
  const starts = groups.find((g) => g.kind === 'start')!;
  expect(starts.values).toHaveLength(starts.width);
  expect(starts.values[columnsOfRow('start').indexOf('model')]).toBe('new');
  expect(groups.find((g) => g.kind === 'end')!.values[0]).toBe('c');
  const prompts = groups.find((g) => g.kind === 'prompt')!;
  expect(prompts.values.filter((_, i) => i % prompts.width === 2)).toEqual(['p2', 'p1']);
});

test('the Postgres batch has one array per column of every kind: empty for kinds the batch lacks, quoted, NUL replaced', () => {
  const query = batchQueries((name) => `s.${name}`)([prompt('a', 'say "hi" \\ \u0000', 'k1'), prompt('b', 'two', 'k2')], true);
  const widths = ROW_KINDS.map((k) => columnsOfRow(k).length);
  expect(query.values).toHaveLength(widths.reduce((a, b) => a + b, 0));
  const first = widths.slice(0, ROW_KINDS.indexOf('prompt')).reduce((a, b) => a + b, 0);
  expect(query.values.slice(0, first).every((v) => v === '{}')).toBe(true);
  expect(query.values[first]).toBe('{"a","b"}');
  expect(query.values[first + 2]).toBe('{"say \\"hi\\" \\\\ \uFFFD","two"}');
  expect(query.values[first + 4]).toBe('{NULL,NULL}');
  expect(query.name).toMatch(/^aibridge_batch_/);
});

test('the size a store weighs a record at is the one the capping estimates', () => {
  const records: Array<[string, object]> = [
    ['recordInterception', { id: 'a', model: 'gpt', userAgent: 'x'.repeat(3000), clientSessionId: 's' }],
    ['recordInterceptionEnded', { id: 'a', errorMessage: 'boom', errorCode: 'c', extra: Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, i])) }],
    ['recordPromptUsage', { interceptionId: 'a', msgId: 'm', prompt: 'p'.repeat(5000) }],
    ['recordToolUsage', { interceptionId: 'a', msgId: 'm', tool: 't', toolCallId: 'c', args: { q: 'x'.repeat(100) }, invocationError: 'e' }],
    ['recordToolUsage', { interceptionId: 'a', msgId: 'm', tool: 't', toolCallId: 'c', args: '{"raw":1}' }],
    ['recordModelThought', { interceptionId: 'a', msgId: 'm', content: 'thinking' }],
    ['recordPassthrough', { id: 'p', path: '/v1/models' }],
    ['recordTokenUsage', { interceptionId: 'a', msgId: 'm', input: 1 }],
  ];
  for (const [what, r] of records) expect(recordBytes(what, r)).toBe(limitRecord(what, r, Infinity).bytes);
  expect(recordBytes('recordPromptUsage', records[2]![1])).toBeGreaterThan(5000);
});
