// Unit tests for the SSE decoder: parsing rules and byte fidelity under every possible chunking.
import { SseDecoder, type SseEvent } from '../../lib/streaming/sse-decoder';

type Expected = Pick<SseEvent, 'event' | 'data' | 'id' | 'retry'>;

/** A block as lines (without terminators) and what it should decode to. */
const BLOCKS: Array<{ lines: string[]; expect: Expected }> = [
  { lines: [': keep-alive'], expect: {} },
  { lines: ['event: response.created', 'id: 1', 'data: {"type":"created"}'], expect: { event: 'response.created', id: '1', data: '{"type":"created"}' } },
  { lines: ['data: {"text":"héllo 👋 世界"}'], expect: { data: '{"text":"héllo 👋 世界"}' } },
  { lines: ['id: 42', ': a comment between fields', 'data: line one', 'data: line two'], expect: { id: '42', data: 'line one\nline two' } },
  { lines: ['event: ping', 'data:', 'retry: 3000'], expect: { event: 'ping', data: '', retry: 3000 } },
  { lines: ['data:世界', 'event:delta', 'event:  last wins'], expect: { event: ' last wins', data: '世界' } },
  { lines: ['data: [DONE]'], expect: { data: '[DONE]' } },
];

function streamText(terminator: string): string {
  return BLOCKS.map((b) => b.lines.map((l) => l + terminator).join('') + terminator).join('');
}

function fields(e: SseEvent): Expected {
  const out: Expected = {};
  if (e.event !== undefined) out.event = e.event;
  if (e.data !== undefined) out.data = e.data;
  if (e.id !== undefined) out.id = e.id;
  if (e.retry !== undefined) out.retry = e.retry;
  return out;
}

function decode(chunks: Uint8Array[]): SseEvent[] {
  const d = new SseDecoder();
  const events: SseEvent[] = [];
  for (const c of chunks) events.push(...d.push(c));
  events.push(...d.end());
  return events;
}

/** Checks both the parsed fields and that each block's raw bytes are exactly its slice of the input. */
function expectStream(events: SseEvent[], input: Buffer, terminator: string): void {
  expect(events.map(fields)).toEqual(BLOCKS.map((b) => b.expect));
  expect(events.map((e) => e.raw.toString('utf8'))).toEqual(
    BLOCKS.map((b) => b.lines.map((l) => l + terminator).join('') + terminator),
  );
  expect(Buffer.concat(events.map((e) => e.raw)).equals(input)).toBe(true);
}

describe.each([
  ['LF', '\n'],
  ['CRLF', '\r\n'],
  ['CR', '\r'],
])('SseDecoder with %s terminators', (_name, terminator) => {
  const input = Buffer.from(streamText(terminator), 'utf8');

  it('decodes the stream pushed whole', () => {
    expectStream(decode([input]), input, terminator);
  });

  it('decodes the stream split into two chunks at every byte boundary', () => {
    for (let i = 0; i <= input.length; i++) {
      expectStream(decode([input.subarray(0, i), input.subarray(i)]), input, terminator);
    }
  });

  it('decodes the stream pushed one byte per chunk', () => {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < input.length; i++) chunks.push(new Uint8Array(input.subarray(i, i + 1)));
    expectStream(decode(chunks), input, terminator);
  });
});

describe('SseDecoder', () => {
  it('returns blocks only once their blank line arrives', () => {
    const d = new SseDecoder();
    expect(d.push(Buffer.from('data: a\n'))).toEqual([]);
    const [e] = d.push(Buffer.from('\ndata: b'));
    expect(e.data).toBe('a');
    expect(d.end().map((x) => [x.data, x.raw.toString()])).toEqual([['b', 'data: b']]);
  });

  it('flushes an unterminated block on end(), without inventing a terminator', () => {
    const d = new SseDecoder();
    expect(d.push(Buffer.from('event: x\ndata: tail\n'))).toEqual([]);
    const events = d.end();
    expect(events.map(fields)).toEqual([{ event: 'x', data: 'tail' }]);
    expect(events[0].raw.toString()).toBe('event: x\ndata: tail\n');
  });

  it('returns nothing from end() when no bytes are pending', () => {
    const d = new SseDecoder();
    d.push(Buffer.from('data: a\n\n'));
    expect(d.end()).toEqual([]);
    expect(new SseDecoder().end()).toEqual([]);
  });

  it('waits for the byte after a trailing CR to decide between CR and CRLF', () => {
    const d = new SseDecoder();
    expect(d.push(Buffer.from('data: a\r\n\r'))).toEqual([]);
    const events = d.push(Buffer.from('\ndata: b\r\r'));
    expect(events.map((e) => e.raw.toString())).toEqual(['data: a\r\n\r\n']);
    const last = d.end();
    expect(last.map((e) => [e.data, e.raw.toString()])).toEqual([['b', 'data: b\r\r']]);
  });

  it('removes exactly one space after the colon', () => {
    const [a, b, c] = decode([Buffer.from('data:x\n\ndata:  x\n\ndata: x \n\n')]);
    expect([a.data, b.data, c.data]).toEqual(['x', ' x', 'x ']);
  });

  it('treats a field without a colon as having an empty value', () => {
    const [a, b] = decode([Buffer.from('data\n\ndata\ndata\n\n')]);
    expect(a.data).toBe('');
    expect(b.data).toBe('\n');
  });

  it('returns comment-only and empty blocks with data undefined so they can be forwarded', () => {
    const events = decode([Buffer.from(':ping\n\n\nunknown: field\n\n')]);
    expect(events.map((e) => [fields(e), e.raw.toString()])).toEqual([
      [{}, ':ping\n\n'],
      [{}, '\n'],
      [{}, 'unknown: field\n\n'],
    ]);
  });

  it('ignores invalid retry values and ids containing NUL', () => {
    const [e] = decode([Buffer.from('retry: 1s\nid: a\0b\ndata: x\n\n')]);
    expect(fields(e)).toEqual({ data: 'x' });
  });

  it('ignores a leading BOM for parsing but keeps it in raw, even when split', () => {
    const input = Buffer.from('\uFEFFevent: first\ndata: a\n\n\uFEFFdata: b\n\n', 'utf8');
    for (const chunks of [[input], Array.from(input, (byte) => Uint8Array.of(byte))]) {
      const events = decode(chunks);
      // Only the stream's first BOM is special; later it is part of an (unknown) field name.
      expect(events.map(fields)).toEqual([{ event: 'first', data: 'a' }, {}]);
      expect(events[0].raw.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
      expect(Buffer.concat(events.map((e) => e.raw)).equals(input)).toBe(true);
    }
  });

  it('treats a BOM-only first line as blank', () => {
    const events = decode([Buffer.from('\uFEFF\ndata: a\n\n', 'utf8')]);
    expect(events.map(fields)).toEqual([{}, { data: 'a' }]);
  });

  it('accepts plain Uint8Array views with an offset', () => {
    const backing = new Uint8Array(Buffer.from('xxdata: hi\n\nyy'));
    const [e] = decode([backing.subarray(2, 12)]);
    expect(e.data).toBe('hi');
    expect(e.raw.toString()).toBe('data: hi\n\n');
  });
});

test('only the exact field name `data` sets data: near names and other cases are unknown fields', () => {
  const [event] = new SseDecoder().push(Buffer.from('dat: a\ndatum: b\nData: c\natad: d\ndata\n\n'));
  expect(event.data).toBe('');
  const [other] = new SseDecoder().push(Buffer.from('dat: a\nDATA: b\n\n'));
  expect(other.data).toBeUndefined();
});

test('many lines without a colon in one chunk are decoded in time linear in the chunk', () => {
  const lines = 'x'.repeat(3) + '\n';
  const chunk = Buffer.from(lines.repeat(200_000) + 'data: end\n\n');
  const started = Date.now();
  const events = new SseDecoder().push(chunk);
  expect(events[events.length - 1].data).toBe('end');
  expect(Date.now() - started).toBeLessThan(2000);
});
