/** One counter of one limit rule, per subject: its keys, and the single-command operations on it (the store's scripts batch the rest). */
import { withTimeout } from '../../redis-client';
import type { MeterSpec } from './limit-options';
import type { BatchKey, KeyKind } from './admission-batch';
import type { KeyChange } from './settle-batch';
import type { CounterRes } from './memory-counter';

/** How long one Redis command may take before it counts as a failure (the request is not held longer). */
export const COMMAND_TIMEOUT_MS = 1_000;
/** A subject's standing on one counter. */
export interface CounterState {
  used: number;
  /** Ms until the window starts again; undefined when the counter has no window (concurrency) or nothing was used. */
  msBeforeReset: number | undefined;
}

/** What a counter asks of its limiter: rate-limiter-flexible's on Redis, a `MemoryCounter` in memory. */
export interface Limiter {
  getKey(subject: string): string;
  consume(subject: string, n: number): Promise<unknown>;
  penalty(subject: string, n: number): Promise<unknown>;
  reward(subject: string, n: number): Promise<unknown>;
  get(subject: string): Promise<CounterRes | null>;
}

/** What a counter asks of the store it belongs to: its commands run, and their failures judged, by the store. */
export interface CounterHost {
  command<T>(command: () => Promise<T>): Promise<T>;
  failed<T>(err: unknown, fallback: T, refuses?: boolean): T;
  /** Sends the batches waiting to go, so that a read does not overtake them. */
  sendPending(): void;
}

/**
 * One counter of one rule (its key prefix names the rule and the kind), per subject. In memory, rate-limiter-flexible
 * counts; on Redis it reads (`usageOf`, budgets between loop iterations), and the store's scripts write the same keys.
 */
export class Counter {
  /** How the admission script counts it. */
  readonly scriptKind: KeyKind;

  constructor(
    private readonly limiter: Limiter,
    private readonly store: CounterHost,
    readonly spec: MeterSpec,
    /** The key's expiry on Redis, in seconds. */
    readonly ttlSec: number,
  ) {
    this.scriptKind = spec.kind === 'tokens' || spec.kind === 'spend' ? 'b' : spec.kind === 'concurrent' ? 's' : 'w';
  }

  /** The subject's key, as rate-limiter-flexible names it. */
  key(subject: string): string {
    return this.limiter.getKey(subject);
  }

  /** The subject's key as the admission script counts it. */
  batchKey(subject: string): BatchKey {
    return { key: this.limiter.getKey(subject), points: this.spec.points, ttlSec: this.ttlSec, kind: this.scriptKind };
  }

  /** A change of `n` to the subject's count, as the settle script applies it. */
  keyChange(subject: string, n: number): KeyChange {
    return { key: this.limiter.getKey(subject), n, ttlSec: this.ttlSec, slot: this.scriptKind === 's', budget: this.scriptKind === 'b' };
  }

  /** Adds `n` if the total stays within the limit: `undefined` when it did, else the state that refused it. */
  async take(subject: string, n: number): Promise<CounterState | undefined> {
    try {
      await withTimeout(this.store.command(() => this.limiter.consume(subject, n)), COMMAND_TIMEOUT_MS);
      return undefined;
    } catch (err) {
      if (!isLimiterRes(err)) return this.store.failed(err, undefined);
      // The refused request does not count: only admitted ones use the limit.
      await this.give(subject, n);
      return stateOf(err);
    }
  }

  /** Adds `n` whatever the total (usage already spent). */
  async add(subject: string, n: number): Promise<void> {
    if (n <= 0) return;
    try {
      await withTimeout(this.store.command(() => this.limiter.penalty(subject, n)), COMMAND_TIMEOUT_MS);
    } catch (err) {
      this.store.failed(err, undefined, false);
    }
  }

  /** Gives `n` back (a concurrency slot at the end of a request, a refused request). */
  async give(subject: string, n: number): Promise<void> {
    try {
      await withTimeout(this.store.command(() => this.limiter.reward(subject, n)), COMMAND_TIMEOUT_MS);
    } catch (err) {
      this.store.failed(err, undefined, false);
    }
  }

  /** What `subject` used of this counter; nothing used while the store fails open. */
  async read(subject: string): Promise<CounterState> {
    this.store.sendPending();
    try {
      const res = await withTimeout(this.store.command(() => this.limiter.get(subject)), COMMAND_TIMEOUT_MS);
      return res ? stateOf(res) : { used: 0, msBeforeReset: undefined };
    } catch (err) {
      return this.store.failed(err, { used: 0, msBeforeReset: undefined });
    }
  }
}

export function isLimiterRes(v: unknown): v is CounterRes {
  return !!v && typeof v === 'object' && typeof (v as CounterRes).consumedPoints === 'number' && !(v instanceof Error);
}

export function stateOf(res: CounterRes): CounterState {
  return { used: Math.max(0, res.consumedPoints), msBeforeReset: res.msBeforeNext > 0 ? res.msBeforeNext : undefined };
}
