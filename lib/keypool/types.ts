/** The KeyStateStore extension point: where key cooldowns live (process memory, or Redis across replicas). */

/** Why a key is cooling down. */
export type CooldownReason = 'rate_limited' | 'unauthorized';

/** A key's cooldown, as stored. `until` is epoch milliseconds. */
export interface KeyCooldown {
  until: number;
  reason: CooldownReason;
}

/**
 * Which store is answering key-state reads, as `keyPoolStatus()` reports it: `'memory'` (process memory),
 * `'redis'`, `'redis-fallback-memory'` (Redis configured but unreachable, this replica's memory answers), or
 * `'custom'` for a store that does not say.
 */
export type KeyStateSource = 'memory' | 'redis' | 'redis-fallback-memory' | 'custom';

/**
 * Shared key state. Keys are identified by a fingerprint (a hash), never by the key itself.
 * Implementations keep the later deadline when two cooldowns race, and forget a cooldown once it has passed.
 */
export interface KeyStateStore {
  /** Current cooldowns for the given fingerprints, in the same order; `undefined` where the key is healthy. */
  getCooldowns(fingerprints: readonly string[]): Array<KeyCooldown | undefined> | Promise<Array<KeyCooldown | undefined>>;
  /** Put a key into cooldown until `cooldown.until`, unless it is already cooling until later. */
  markCooldown(fingerprint: string, cooldown: KeyCooldown): void | Promise<void>;
  /** Which store answers right now, for status pages. Optional: without it the store is reported as `'custom'`. */
  source?(): KeyStateSource;
  /** Release connections. */
  close?(): Promise<void>;
}

/** How long failing keys rest. */
export interface ProviderCooldowns {
  /** Cooldown after a `401`. Defaults to 60,000 ms. */
  unauthorizedMs?: number;
  /** Cooldown after a `429` without a usable `Retry-After`. Defaults to 60,000 ms. */
  rateLimitedMs?: number;
  /** Upper bound on any cooldown, whatever `Retry-After` says. Defaults to 3,600,000 ms. */
  maxMs?: number;
}
