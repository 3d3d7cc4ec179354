/** Every built-in store rejects a cursor it did not make with InvalidCursorError, which callers can tell from a store failure. */
import { MemoryRecorder, SqliteRecorder } from '../../lib';
import { InvalidCursorError } from '../../lib/recorder/query-engine';
import type { UsageQuery } from '../../lib/recorder/usage-query';

const BAD_CURSORS = ['not-a-cursor', Buffer.from('{"startedAt":1}').toString('base64url'), Buffer.from('[1.5,"x"]').toString('base64url')];

describe.each([
  ['MemoryRecorder', () => new MemoryRecorder()],
  ['SqliteRecorder', () => new SqliteRecorder({ filename: ':memory:' })],
])('%s', (_name, make) => {
  let store: UsageQuery & { close?(): Promise<void> };
  beforeAll(() => { store = make(); });
  afterAll(async () => { await store.close?.(); });

  test.each(BAD_CURSORS)('cursor %p is an InvalidCursorError with code invalid_cursor', async (cursor) => {
    const err = await store.recentInterceptions({ cursor }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidCursorError);
    // Still a TypeError, as it always was, and recognisable by code across module copies.
    expect(err).toBeInstanceOf(TypeError);
    expect(err).toMatchObject({ code: 'invalid_cursor', message: expect.stringContaining('cursor') });
  });

  test('a cursor the store made is accepted', async () => {
    await expect(store.recentInterceptions({ limit: 1 })).resolves.toEqual({ items: [] });
  });
});
