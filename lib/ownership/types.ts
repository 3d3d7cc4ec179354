/** The OwnershipStore extension point: who created each stored response and conversation id through the bridge. */

/**
 * What an id names upstream: a response, a conversation, an output item of a stored response (`item_reference`), or a
 * chat completion stored with `store: true`, or an Anthropic message batch (only on routes a host opens).
 */
export type OwnedKind = 'response' | 'conversation' | 'item' | 'chat_completion' | 'message_batch';

/** One id of stored upstream state, as created under one provider of the bridge. */
export interface OwnedRef {
  /** The provider's `name` (ids of two upstream accounts never mix). */
  provider: string;
  kind: OwnedKind;
  /** The id as the upstream wrote it (`resp_…`, `conv_…`, `msg_…`). */
  id: string;
}

/** Who owns an id, and where a client holding it continues from. */
export interface Ownership {
  /** The actor id that created it. */
  owner: string;
  /**
   * For a response id a client saw (the first one of a streamed tool loop): the last upstream response of that
   * interception, which `previous_response_id` is rewritten to. Absent when the id itself is the one to continue from.
   */
  continueFrom?: string;
}

export type OwnershipEntry = OwnedRef & Ownership;

/**
 * Where owners live. A plain structural interface: `MemoryOwnershipStore` (the default, per process) and
 * `RedisOwnershipStore` (shared by replicas, survives restarts) implement it; a host may bring its own.
 * The bridge writes an id only when the upstream has just created it with a pool key, so `setOwners` replaces.
 * A call that throws or rejects fails the request closed (the client gets a `503`, never an unowned id).
 */
export interface OwnershipStore {
  /** Records (or replaces) the owner of each entry. Resolves once the entries are durable for every replica. */
  setOwners(entries: readonly OwnershipEntry[]): void | Promise<void>;
  /** The owner of `ref`, or `undefined` when the store does not know it. */
  getOwner(ref: OwnedRef): Ownership | undefined | Promise<Ownership | undefined>;
  /** Releases connections. */
  close?(): void | Promise<void>;
}

/** What the bridge does with an id its store does not know (created outside the bridge, before it, or forgotten). */
export type UnknownIdPolicy = 'refuse' | 'allow';

/** `createBridge({ ownership })`. */
export interface OwnershipOptions {
  /**
   * Where owners are written. Defaults to a `RedisOwnershipStore` on the same ioredis client when `keyState` is a
   * `RedisKeyStateStore`, else a `MemoryOwnershipStore` (per process, forgotten on restart).
   */
  store?: OwnershipStore;
  /**
   * Ids the store does not know: `'refuse'` answers the provider's `404` as if the id did not exist; `'allow'` lets
   * the upstream decide. One policy for both kinds, or one per kind (`responses` also covers the output items a
   * request references, stored chat completions and message batches). Defaults to `'refuse'` for both.
   */
  unknownIds?: UnknownIdPolicy | { responses?: UnknownIdPolicy; conversations?: UnknownIdPolicy };
}
