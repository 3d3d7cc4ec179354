/** The ioredis connection handling the Redis stores share: a fail-fast client, bounded commands, a bounded wait and quit. */
import type { Redis } from 'ioredis';

const QUIT_TIMEOUT_MS = 1000;

/** How a store's own client is made. */
export interface OwnedClientOptions {
  /**
   * Sends the commands issued in one tick of the event loop as one pipeline (one write, one read): under concurrent
   * requests, many per-request commands share a round trip. For stores whose commands are independent of each other.
   */
  autoPipelining?: boolean;
}

/** An ioredis client that fails fast while Redis is down (callers answer from elsewhere or fail closed). */
export function createOwnedClient(url: string, options: OwnedClientOptions = {}): Redis {
  // Loaded here, not at import: hosts that keep key state in memory never pay for ioredis.
  const { Redis: RedisClient } = require('ioredis') as typeof import('ioredis');
  return new RedisClient(url, {
    // Fail fast while Redis is down: the memory fallback answers instead of requests queueing up.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(times * 200, 1000),
    // ioredis arms this timer even when the socket is already closed (e.g. mid-reconnect), and it would
    // hold the process open for 2 s after close(); our sockets are either quit cleanly or given up on.
    disconnectTimeout: 0,
    enableAutoPipelining: options.autoPipelining ?? false,
  });
}

/** Ends a client the store created: QUIT when connected, else (or when QUIT fails or hangs) disconnect. */
export async function quitClient(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await withTimeout(client.quit(), QUIT_TIMEOUT_MS);
      return;
    } catch {
      // QUIT failed or hung: the connection is gone or stuck, and disconnect() below ends it either way.
    }
  }
  // Also cancels a pending reconnect, so a Redis that is down stops being retried.
  client.disconnect();
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Right after start-up the client is still connecting; waiting briefly avoids a false "Redis is down". */
export function waitForConnection(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status !== 'connecting' && client.status !== 'connect') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      client.off('ready', done).off('error', done).off('end', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    timer.unref();
    client.on('ready', done).on('error', done).on('end', done);
  });
}
