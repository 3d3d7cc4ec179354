/** The default OwnershipStore: process memory, bounded by an entry cap (the oldest id of the actor holding the most forgotten first). */
import { OptionsError, isPlainObject, optionalPositiveInt, rejectUnknownKeys } from '../options-check';
import type { OwnedRef, Ownership, OwnershipEntry, OwnershipStore } from './types';

/** Options of {@link MemoryOwnershipStore}. */
export interface MemoryOwnershipStoreOptions {
  /**
   * Most ids kept; past it the oldest id of the actor holding the most is forgotten (its owner then gets the
   * unknown-id answer, `404` by default), so that one actor creating ids in bulk forgets its own, never another's.
   * An entry is a few hundred bytes. Defaults to 100,000.
   */
  maxEntries?: number;
}

export const MEMORY_OWNERSHIP_DEFAULTS = { maxEntries: 100_000 };

/** The key of one id: provider names cannot hold `:`, kinds are fixed, so the id is the rest whatever it holds. */
export function ownedKey(ref: OwnedRef): string {
  return `${ref.provider}:${ref.kind}:${ref.id}`;
}

/**
 * Owners in a Map, and each owner's keys in a Set kept in insertion order (its oldest first): ids accumulate forever,
 * and a cap bounds the memory. Past it the largest owner gives up its oldest id: whoever floods the store evicts only
 * its own ids (per-count buckets find the largest owner at once). Per process: replicas do not share it and a restart
 * forgets it.
 */
export class MemoryOwnershipStore implements OwnershipStore {
  private readonly entries = new Map<string, Ownership>();
  /** Each owner's keys, oldest first. */
  private readonly byOwner = new Map<string, Set<string>>();
  /** Owners by how many keys they hold; `largest` is the highest non-empty count. */
  private readonly byCount = new Map<number, Set<string>>();
  private largest = 0;
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
      this.forget(key); // a rewrite (a new alias, or a new owner) counts as recent
      this.entries.set(key, e.continueFrom === undefined ? { owner: e.owner } : { owner: e.owner, continueFrom: e.continueFrom });
      let keys = this.byOwner.get(e.owner);
      if (!keys) this.byOwner.set(e.owner, (keys = new Set()));
      this.recount(e.owner, keys.size, keys.size + 1);
      keys.add(key);
    }
    while (this.entries.size > this.maxEntries) {
      const owner = this.byCount.get(this.largest)!.values().next().value as string;
      this.forget(this.byOwner.get(owner)!.values().next().value as string);
    }
  }

  getOwner(ref: OwnedRef): Ownership | undefined {
    return this.entries.get(ownedKey(ref));
  }

  private forget(key: string): void {
    const found = this.entries.get(key);
    if (!found) return;
    this.entries.delete(key);
    const keys = this.byOwner.get(found.owner)!;
    keys.delete(key);
    this.recount(found.owner, keys.size + 1, keys.size);
    if (keys.size === 0) this.byOwner.delete(found.owner);
  }

  /** Moves `owner` from the bucket of `from` keys to that of `to`. */
  private recount(owner: string, from: number, to: number): void {
    const old = this.byCount.get(from);
    if (old) {
      old.delete(owner);
      if (old.size === 0) this.byCount.delete(from);
    }
    if (to > 0) {
      let bucket = this.byCount.get(to);
      if (!bucket) this.byCount.set(to, (bucket = new Set()));
      bucket.add(owner);
    }
    if (to > this.largest) this.largest = to;
    else if (from === this.largest && !this.byCount.has(from)) this.largest = to; // counts move by one
  }
}
