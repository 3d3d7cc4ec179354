/** The stores' options are checked like createBridge's: unknown keys named (with the likely intended one), conflicts refused. */
import os from 'node:os';
import path from 'node:path';
import { RedisKeyStateStore } from '../../lib/keypool/redis-key-state-store';
import { MemoryRecorder } from '../../lib/recorder/memory-recorder';
import { PostgresRecorder } from '../../lib/recorder/postgres-recorder';
import { SqliteRecorder } from '../../lib/recorder/sqlite-recorder';

const fakePool = { connect: async () => undefined, on: () => undefined };
const fakeRedis = { mget: () => undefined };

describe('SqliteRecorder', () => {
  test('an unknown option is named, and the intended one suggested', () => {
    expect(() => new SqliteRecorder({ file: 'x.db' } as never)).toThrow('SqliteRecorder: option `file` is not a known option; did you mean `filename`?');
    expect(() => new SqliteRecorder({ filename: ':memory:', maxQueu: 5 } as never)).toThrow(/option `maxQueu` is not a known option; did you mean `maxQueue`\?/);
  });

  test('a missing filename names the option', () => {
    expect(() => new SqliteRecorder({} as never)).toThrow('SqliteRecorder: option `filename` must be a non-empty string (a file path, or ":memory:").');
  });

  test('a directory that does not exist is named, with the option', () => {
    const dir = path.join(os.tmpdir(), `no-such-dir-${process.pid}`, 'nested');
    expect(() => new SqliteRecorder({ filename: path.join(dir, 'usage.db') })).toThrow(`SqliteRecorder: option \`filename\` names a directory that does not exist: ${dir} (create it first).`);
  });

  test('numbers are checked, naming the option', () => {
    expect(() => new SqliteRecorder({ filename: ':memory:', busyTimeoutMs: -1 })).toThrow('SqliteRecorder: option `busyTimeoutMs` must be a non-negative integer.');
    expect(() => new SqliteRecorder({ filename: ':memory:', maxQueueBytes: 0 })).toThrow(/SqliteRecorder: .*maxQueueBytes/);
  });
});

describe('PostgresRecorder', () => {
  test('an unknown option is named, and connectionString suggested for url', () => {
    expect(() => new PostgresRecorder({ url: 'postgres://x' } as never)).toThrow('PostgresRecorder: option `url` is not a known option; did you mean `connectionString`?');
  });

  test('connectionString and pool together are refused', () => {
    expect(() => new PostgresRecorder({ connectionString: 'postgres://x', pool: fakePool } as never))
      .toThrow('PostgresRecorder: option `pool` cannot be given with `connectionString`: give one of them.');
    expect(() => new PostgresRecorder({ pool: fakePool, maxConnections: 3 } as never))
      .toThrow('PostgresRecorder: option `maxConnections` applies only to the pool the store opens from `connectionString`; size your own `pool` yourself.');
  });

  test('neither is an error naming both', () => {
    expect(() => new PostgresRecorder({} as never)).toThrow('PostgresRecorder: option `connectionString` or `pool` is required (a postgres:// URL, or a pg Pool).');
  });
});

describe('RedisKeyStateStore', () => {
  test('an unknown option is named, and url suggested', () => {
    expect(() => new RedisKeyStateStore({ connectionString: 'redis://x' } as never)).toThrow('RedisKeyStateStore: option `connectionString` is not a known option; did you mean `url`?');
  });

  test('url and client together, or neither, are refused', () => {
    expect(() => new RedisKeyStateStore({ url: 'redis://127.0.0.1:1', client: fakeRedis } as never)).toThrow('RedisKeyStateStore: option `client` cannot be given with `url`: give one of them.');
    expect(() => new RedisKeyStateStore({})).toThrow('RedisKeyStateStore: option `url` or `client` is required (e.g. { url: \'redis://127.0.0.1:6379\' }).');
  });

  test('values are checked, naming the option', () => {
    expect(() => new RedisKeyStateStore({ client: fakeRedis, timeoutMs: 0 } as never)).toThrow('RedisKeyStateStore: option `timeoutMs` must be a positive integer.');
    expect(() => new RedisKeyStateStore({ client: {} } as never)).toThrow('RedisKeyStateStore: option `client` must be an ioredis client (new Redis(...)).');
  });
});

test('MemoryRecorder names an unknown option too', () => {
  expect(() => new MemoryRecorder({ maxRecord: 5 } as never)).toThrow('MemoryRecorder: option `maxRecord` is not a known option; did you mean `maxRecords`?');
});
