/** What the key-based adapters read of a credential: its key, or a clear error for a type they cannot send. */
import type { UpstreamCredential } from '../keypool/credentials';

/** The key of a `key` credential; throws (naming the provider, never a secret) for any other type. */
export function keyOf(credential: UpstreamCredential, provider: string): string {
  if (credential.type === 'key') return credential.key;
  throw new TypeError(`${provider} sends key credentials only; its credential source gave a "${String((credential as { type?: unknown }).type)}" credential.`);
}
