/** Dashboard query-string parsing: ranges, filters, buckets, limits, cursors. */
import {
  DashboardInputError, parseBase, parseBucket, parseCursor, parseInterceptionId, parseLimit, parseRange,
} from '../../lib/dashboard/dashboard-params';

const NOW = Date.parse('2025-06-15T12:00:00Z');

describe('parseRange', () => {
  test('named ranges end now', () => {
    expect(parseRange({ range: '24h' }, NOW)).toEqual({ from: new Date('2025-06-14T12:00:00Z'), to: new Date(NOW) });
    expect(parseRange({ range: '30d' }, NOW).from).toEqual(new Date('2025-05-16T12:00:00Z'));
  });

  test('nothing given is the last 7 days', () => {
    expect(parseRange({}, NOW)).toEqual({ from: new Date('2025-06-08T12:00:00Z'), to: new Date(NOW) });
  });

  test('from alone leaves `to` open; offsets are honoured', () => {
    expect(parseRange({ from: '2025-06-01T02:00:00+02:00' }, NOW)).toEqual({ from: new Date('2025-06-01T00:00:00Z'), to: undefined });
  });

  test.each([
    [{ range: 'toString' }], [{ range: '__proto__' }], [{ from: '1718000000000' }], [{ from: '2025-06-01 00:00' }],
    [{ from: '2025-06-01T00:00:00' }], [{ to: '2025-13-01T00:00:00Z' }], [{ from: '2025-06-02', to: '2025-06-02' }],
    [{ range: ['24h', '7d'] }], [{ range: { a: '1' } }],
  ])('%j is rejected', (q) => {
    expect(() => parseRange(q, NOW)).toThrow(DashboardInputError);
  });
});

describe('parseBase', () => {
  test('filters are taken as given', () => {
    expect(parseBase({ actor: 'a b', model: 'gpt-4o', provider: 'openai', client: 'claude-code' }, NOW).filter)
      .toEqual({ actor: 'a b', model: 'gpt-4o', provider: 'openai', client: 'claude-code' });
  });

  test('unknown parameters are named', () => {
    expect(() => parseBase({ actr: 'x' }, NOW)).toThrow('`actr`');
    expect(() => parseBase({ limit: '5' }, NOW)).toThrow('`limit`');
    expect(parseBase({ limit: '5' }, NOW, ['limit']).filter).toEqual({});
  });
});

describe('parseBucket', () => {
  const range = (days: number) => ({ from: new Date(NOW - days * 86_400_000), to: new Date(NOW) });
  test('defaults by span', () => {
    expect(parseBucket({}, range(1))).toBe('hour');
    expect(parseBucket({}, range(7))).toBe('day');
    expect(parseBucket({}, {})).toBe('day');
  });
  test('hours over an unbounded or long range are refused', () => {
    expect(() => parseBucket({ bucket: 'hour' }, {})).toThrow(DashboardInputError);
    expect(() => parseBucket({ bucket: 'hour' }, range(40))).toThrow(DashboardInputError);
    expect(parseBucket({ bucket: 'hour' }, range(30))).toBe('hour');
  });
});

describe('limits, cursors, ids', () => {
  test.each(['0', '-1', '1.5', '1e2', ' 5', '501', ''])('limit %j is rejected', (v) => {
    expect(() => parseLimit({ limit: v }, 500)).toThrow(DashboardInputError);
  });
  test('limit within bounds', () => {
    expect(parseLimit({ limit: '500' }, 500)).toBe(500);
    expect(parseLimit({}, 500)).toBeUndefined();
  });
  test('cursors are printable ASCII', () => {
    expect(parseCursor({ cursor: 'eyJ0IjoxfQ==' })).toBe('eyJ0IjoxfQ==');
    expect(() => parseCursor({ cursor: 'a b' })).toThrow(DashboardInputError);
    expect(() => parseCursor({ cursor: 'é' })).toThrow(DashboardInputError);
  });
  test('interception ids', () => {
    expect(parseInterceptionId('0b9c6a1e-6c43-4a5e-9d7c-2f4f1d2b7a10')).toBe('0b9c6a1e-6c43-4a5e-9d7c-2f4f1d2b7a10');
    for (const bad of ['', '../x', 'a/b', '<x>', 'x'.repeat(129), undefined]) expect(() => parseInterceptionId(bad)).toThrow(DashboardInputError);
  });
});
