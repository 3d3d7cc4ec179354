/** The credential of each pool entry at attempt time, from its CredentialSource: synchronous for static ones, learned before first use. */
import type { CredentialKind } from '../recorder/types';
import type { CredentialEntry, CredentialSource, UpstreamCredential } from './credentials';

/** A credential ready for one attempt, with the masked form that may be logged and recorded and where it came from. */
export interface Credential {
  readonly upstream: UpstreamCredential;
  readonly hint: string;
  readonly kind: CredentialKind;
  /** Headers that carry this key upstream when they are not the provider's usual ones (BYOK keeps the client's form). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Called with a credential the pool has not seen before, before it is used: its secrets join the redaction rule. */
export type LearnCredential = (credential: CredentialEntry) => void;

/** The source could not give an entry's credential (a failed token exchange, a broken source). */
export class NoCredential {
  constructor(readonly error: unknown, readonly durationMs: number) {}
}

export class EntryCredentials {
  /** The last credential given per entry, wrapped for attempts: reused while the source gives the same object. */
  private readonly last: Array<Credential | undefined>;

  constructor(private readonly source: CredentialSource, private readonly learn: LearnCredential | undefined) {
    this.last = source.entries.map(() => undefined);
  }

  /**
   * Entry `index`'s credential now. A source answering synchronously (static keys) is answered without a promise, so
   * the plain path pays no `await`; a rejection or a throw is a {@link NoCredential}, unless `signal` aborted (then it
   * propagates: the request is over, the entry is not at fault).
   */
  get(index: number, signal: AbortSignal | undefined): Credential | NoCredential | Promise<Credential | NoCredential> {
    let got: UpstreamCredential | PromiseLike<UpstreamCredential>;
    try {
      got = this.source.current(index, signal);
    } catch (err) {
      return failed(err, 0, signal);
    }
    if (!isThenable(got)) return this.ready(index, got, 0, signal);
    const started = Date.now();
    return Promise.resolve(got).then(
      (c) => this.ready(index, c, started, signal),
      (err) => failed(err, Date.now() - started, signal),
    );
  }

  private ready(index: number, upstream: UpstreamCredential, started: number, signal: AbortSignal | undefined): Credential | NoCredential {
    if (!upstream || typeof upstream !== 'object') {
      return failed(new TypeError(`the credential source gave no credential for entry ${index}`), started && Date.now() - started, signal);
    }
    const last = this.last[index];
    if (last !== undefined && last.upstream === upstream) return last;
    try {
      this.learn?.(upstream);
    } catch (err) {
      return failed(err, started && Date.now() - started, signal); // never used unredacted
    }
    return (this.last[index] = { upstream, hint: upstream.hint, kind: 'centralized' });
  }
}

function failed(err: unknown, durationMs: number, signal: AbortSignal | undefined): NoCredential {
  if (signal?.aborted) throw err;
  return new NoCredential(err, durationMs);
}

/** Whether `v` is a promise (or any thenable), not a value given at once. */
export function isThenable<T>(v: T | PromiseLike<T>): v is PromiseLike<T> {
  return !!v && typeof (v as PromiseLike<T>).then === 'function';
}
