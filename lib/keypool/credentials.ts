/** Upstream credentials as objects (a static key, a set of signing secrets) and the CredentialSource the key pool draws them from. */
import { keyFingerprint, maskKey } from '../redaction/key-mask';

/**
 * What every credential says about itself: how it is named and which strings must never leave the bridge.
 * A pool entry of a {@link CredentialSource} is one of these (a refreshing source's entry holds its long-lived secret).
 */
export interface CredentialEntry {
  /** Stable and not secret: names the entry in key state (hashed) and logs; one id per pool entry. */
  readonly id: string;
  /** Masked form that may be logged and recorded (`sk-a...wxyz`); every secret is redacted to it. */
  readonly hint: string;
  /** Every string to redact wherever it appears (responses, records, logs). */
  readonly secrets: readonly string[];
}

/** One key sent as is (an API key, or a bearer token a refreshing source obtained). */
export interface KeyCredential extends CredentialEntry {
  readonly type: 'key';
  readonly key: string;
}

/** What a signing provider needs: an access key id, its secret, and a session token when the keys are temporary. */
export interface SigningCredential extends CredentialEntry {
  readonly type: 'signing';
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** A credential ready to authenticate an upstream call; the provider adapter reads the fields of its `type`. */
export type UpstreamCredential = KeyCredential | SigningCredential;

/**
 * Where a key pool gets its credentials. `entries` are fixed at creation (their secrets are redacted from the start);
 * `current(index)` is asked at each attempt for the credential of that entry. A static source answers synchronously
 * (no `await` on the request path); a refreshing one may return a promise, and a rejection counts as that entry's
 * failure (the pool cools it and fails over). A credential the pool has not seen before has its secrets redacted
 * before it is used.
 */
export interface CredentialSource {
  readonly entries: readonly CredentialEntry[];
  /** True when `current` never returns a promise (fixed credentials): the pool then makes no abort signal for its walks. */
  readonly answersAtOnce?: boolean;
  current(index: number, signal?: AbortSignal): UpstreamCredential | Promise<UpstreamCredential>;
}

/** Today's static key as a credential: hint `maskKey(key)`, the key itself redacted. `id` defaults to the key's fingerprint. */
export function staticKey(key: string, id: string = keyFingerprint(key)): KeyCredential {
  return { type: 'key', id, hint: maskKey(key), secrets: [key], key };
}

/** Signing secrets as a credential: hinted by the access key id, all three strings redacted. `id` defaults to the access key id. */
export function signingCredential(secrets: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; id?: string }): SigningCredential {
  const { accessKeyId, secretAccessKey, sessionToken } = secrets;
  return {
    type: 'signing', id: secrets.id ?? accessKeyId, hint: maskKey(accessKeyId),
    secrets: sessionToken === undefined ? [accessKeyId, secretAccessKey] : [accessKeyId, secretAccessKey, sessionToken],
    accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }),
  };
}

/** A fixed list of credentials: each entry is its own current credential, answered synchronously. */
export function staticCredentials(credentials: readonly UpstreamCredential[]): CredentialSource {
  const entries = [...credentials];
  return {
    entries,
    answersAtOnce: true,
    current: (index) => entries[index],
  };
}

/** Whether `v` looks like a {@link CredentialSource} (an `entries` array and a `current` function). */
export function isCredentialSource(v: unknown): v is CredentialSource {
  return !!v && typeof v === 'object' && Array.isArray((v as CredentialSource).entries) && typeof (v as CredentialSource).current === 'function';
}
