/** `createBridge({ ownership })`: validated once into the store and the unknown-id policy of each kind. */
import type { KeyStateStore } from '../keypool/types';
import { RedisKeyStateStore } from '../keypool/redis-key-state-store';
import { OptionsError, isPlainObject, rejectUnknownKeys } from '../options-check';
import { MemoryOwnershipStore } from './memory-ownership-store';
import { RedisOwnershipStore } from './redis-ownership-store';
import type { OwnedKind, OwnershipOptions, OwnershipStore, UnknownIdPolicy } from './types';

export interface OwnershipConfig {
  store: OwnershipStore;
  /** True when the bridge made the store (it closes it then). */
  ownsStore: boolean;
  unknownIds: Readonly<Record<OwnedKind, UnknownIdPolicy>>;
}

export const OWNERSHIP_DEFAULTS = { unknownIds: 'refuse' as UnknownIdPolicy };
const POLICIES: readonly UnknownIdPolicy[] = ['refuse', 'allow'];

function policy(name: string, v: unknown): UnknownIdPolicy {
  if (v === undefined) return OWNERSHIP_DEFAULTS.unknownIds;
  if (!POLICIES.includes(v as UnknownIdPolicy)) throw new OptionsError('createBridge', name, "must be 'refuse' or 'allow'.");
  return v as UnknownIdPolicy;
}

function unknownIds(v: unknown): Record<OwnedKind, UnknownIdPolicy> {
  if (!isPlainObject(v)) {
    const both = policy('ownership.unknownIds', v);
    return { response: both, conversation: both, item: both, chat_completion: both, message_batch: both };
  }
  rejectUnknownKeys('createBridge', v, ['responses', 'conversations'], 'ownership.unknownIds.');
  const responses = policy('ownership.unknownIds.responses', v.responses);
  // An item is part of a stored response; a stored chat completion and a message batch are stored answers: all three
  // follow the responses' policy.
  const conversations = policy('ownership.unknownIds.conversations', v.conversations);
  return { response: responses, conversation: conversations, item: responses, chat_completion: responses, message_batch: responses };
}

/** The store: the host's, else Redis on the key state's own client when that is Redis, else process memory. */
export function normalizeOwnership(options: OwnershipOptions | undefined, keyState: KeyStateStore | undefined): OwnershipConfig {
  if (options !== undefined && !isPlainObject(options)) throw new OptionsError('createBridge', 'ownership', 'must be an object ({ store?, unknownIds? }).');
  const o: OwnershipOptions = options ?? {};
  rejectUnknownKeys('createBridge', o as Record<string, unknown>, ['store', 'unknownIds'], 'ownership.');
  const store = o.store;
  if (store !== undefined && (typeof store?.setOwners !== 'function' || typeof store.getOwner !== 'function')) {
    throw new OptionsError('createBridge', 'ownership.store', 'must implement setOwners and getOwner (e.g. new RedisOwnershipStore({ url })).');
  }
  const policies = unknownIds(o.unknownIds);
  if (store) return { store, ownsStore: false, unknownIds: policies };
  if (keyState instanceof RedisKeyStateStore) return { store: new RedisOwnershipStore({ client: keyState.redisClient() }), ownsStore: true, unknownIds: policies };
  return { store: new MemoryOwnershipStore(), ownsStore: true, unknownIds: policies };
}
