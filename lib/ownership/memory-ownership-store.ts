/** The default OwnershipStore: process memory, bounded by an entry cap (oldest forgotten first). */
import { OptionsError, isPlainObject, optionalPositiveInt, rejectUnknownKeys } from '../options-check';
import type { OwnedRef, Ownership, OwnershipEntry, OwnershipStore } from './types';

/** Options of {@link MemoryOwnershipStore}. */
export interface MemoryOwnershipStoreOptions {
  /**
   * Most ids kept; past it the oldest are forgotten (their owners then get the unknown-id answer, `404` by
   * default). An entry is a few hundred bytes. Defaults to 100,000.
   */
  maxEntries?: number;
}

export const MEMORY_OWNERSHIP_DEFAULTS = { maxEntries: 100_000 };

/** The key of one id: provider names cannot hold `:`, kinds are fixed, so the id is the rest whatever it holds. */
export function ownedKey(ref: OwnedRef): string {
  return `${ref.provider}:${ref.kind}:${ref.id}`;
}

/**
 * Owners in a Map kept in insertion order, so the oldest entry is the first one: ids accumulate forever, and a
 * cap with oldest-first eviction bounds the memory. Per process: replicas do not share it and a restart forgets it.
 */
export class MemoryOwnershipStore implements OwnershipStore {
  private readonly entries = new Map<string, Ownership>();
  private readonly maxEntries: number;

  constructor(options: MemoryOwnershipStoreOptions = {}) {
    const owner = 'MemoryOwnershipStore';
    if (!isPlainObject(options)) throw new OptionsError(owner, 'options', 'must be an object ({ maxEntries }).');
    rejectUnknownKeys(owner, options as Record<string, unknown>, Object.keys(MEMORY_OWNERSHIP_DEFAULTS));
    this.maxEntries = optionalPositiveInt(owner, 'maxEntries', options.maxEntries, MEMORY_OWNERSHIP_DEFAULTS.maxEntries);
  }

  get size(): number {
    return this.entries.size;
  }

  setOwners(entries: readonly OwnershipEntry[]): void {
    for (const e of entries) {
      const key = ownedKey(e);
      this.entries.delete(key); // a rewrite (a new alias) counts as recent
      this.entries.set(key, e.continueFrom === undefined ? { owner: e.owner } : { owner: e.owner, continueFrom: e.continueFrom });
    }
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  getOwner(ref: OwnedRef): Ownership | undefined {
    return this.entries.get(ownedKey(ref));
  }
}
