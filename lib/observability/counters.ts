/** In-process counters per provider (interceptions, upstream attempts, failovers, outcomes) for metrics and health pages. */

/** Counters of one provider since the bridge was created. */
export interface ProviderCounters {
  interceptions: number;
  completed: number;
  failed: number;
  aborted: number;
  /** Upstream calls made by bridged requests, failover retries included. */
  upstreamAttempts: number;
  /** Attempts answered with a key failure (429/401) and retried on the next key. */
  failovers: number;
  /** Requests refused because every key was cooling. */
  keysExhausted: number;
  /** Requests the `authorize` hook denied (`403`). */
  denied: number;
  /** Requests refused because the `authorize` hook threw, answered no verdict or missed its deadline (`500`). */
  authorizeFailed: number;
  /** Requests refused past `maxConcurrent` or `maxConcurrentPerActor` (`503`). */
  atCapacity: number;
  /** Requests the `guard` blocked (`400`), and answers the `responseGuard` blocked (`502`). */
  guardBlocked: number;
  /** Requests refused because a guard threw, answered no verdict, missed its deadline or made an invalid edit (`500`). */
  guardFailed: number;
  /** Requests (and answers) a guard edited. */
  guardEdited: number;
}

export function emptyCounters(): ProviderCounters {
  return { interceptions: 0, completed: 0, failed: 0, aborted: 0, upstreamAttempts: 0, failovers: 0, keysExhausted: 0, denied: 0, authorizeFailed: 0, atCapacity: 0, guardBlocked: 0, guardFailed: 0, guardEdited: 0 };
}
