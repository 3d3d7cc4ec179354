/** The default KeyStateStore: key cooldowns in process memory, for a single replica (and as Redis's fallback). */
import type { KeyCooldown, KeyStateSource, KeyStateStore } from './types';

/** Options for {@link MemoryKeyStateStore}. */
export interface MemoryKeyStateStoreOptions {
  /** Clock in epoch milliseconds; tests pass a fake one. Defaults to `Date.now`. */
  now?: () => number;
}

/**
 * Key cooldowns in a `Map`. Synchronous on purpose: it sits on every request's hot path, and returning
 * plain values lets callers skip an `await`.
 */
export class MemoryKeyStateStore implements KeyStateStore {
  private readonly cooldowns = new Map<string, KeyCooldown>();
  private readonly now: () => number;

  constructor(options: MemoryKeyStateStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  getCooldowns(fingerprints: readonly string[]): Array<KeyCooldown | undefined> {
    const now = this.now();
    return fingerprints.map((fingerprint) => this.current(fingerprint, now));
  }

  source(): KeyStateSource {
    return 'memory';
  }

  markCooldown(fingerprint: string, cooldown: KeyCooldown): void {
    const now = this.now();
    if (!(cooldown.until > now)) return;
    const existing = this.current(fingerprint, now);
    if (existing && existing.until >= cooldown.until) return;
    // Copy, so a caller reusing its object cannot change what we stored.
    this.cooldowns.set(fingerprint, { until: cooldown.until, reason: cooldown.reason });
  }

  private current(fingerprint: string, now: number): KeyCooldown | undefined {
    const cooldown = this.cooldowns.get(fingerprint);
    if (!cooldown) return undefined;
    if (cooldown.until > now) return { until: cooldown.until, reason: cooldown.reason };
    // Expired entries are dropped when next seen; no timers, so nothing keeps the process alive.
    this.cooldowns.delete(fingerprint);
    return undefined;
  }
}
