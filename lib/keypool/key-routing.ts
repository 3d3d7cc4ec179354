/** Chooses where a request's credential comes from: the client's own (BYOK, one attempt) or the pool (failover). */
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../errors';
import type { CredentialKind } from '../recorder/types';
import { tracedAttempt, type AttemptResult, type AttemptTrace, type Credential, type KeyPool } from './key-pool';
import { maskKey } from '../redaction/key-mask';
import type { KeyCredential } from './credentials';

/** How one upstream call will be authenticated. */
export interface CredentialPlan {
  readonly kind: CredentialKind;
  /** The client's own key when the plan uses it (BYOK), so that what the bridge writes masks it like a pool key. */
  readonly byokKey?: string;
  /** Runs `attempt` with one credential (BYOK) or walks the pool; `signal` stops a credential refresh the request waits on. */
  run<R extends AttemptResult>(attempt: (credential: Credential) => Promise<R>, trace: AttemptTrace, signal?: AbortSignal): Promise<R>;
}

const NO_CREDENTIAL = new GatewayError({ status: 401, errorType: 'unauthorized', code: 'missing_api_key', message: 'This provider needs your own API key and none was sent.' });

/** What the routing reads of a provider: whether clients may bring their own key, and how to find it. */
export interface ClientCredentials {
  readonly byok: boolean;
  clientCredential(headers: IncomingHttpHeaders): { key: string; headers: Record<string, string> } | undefined;
}

export class KeyRouting {
  private readonly poolPlan: CredentialPlan;

  constructor(private readonly provider: ClientCredentials, readonly pool: KeyPool) {
    this.poolPlan = pool.size > 0
      ? { kind: 'centralized', run: (attempt, trace, signal) => pool.walk(attempt, trace, signal) }
      // No pool: the provider takes clients' own keys only, so a request without one is recorded as such.
      : { kind: 'byok', run: () => Promise.reject(NO_CREDENTIAL) };
  }

  /** The pool's plan, whatever the request's headers carry (a model route's requests: their key was not meant for this provider). */
  get pooled(): CredentialPlan {
    return this.poolPlan;
  }

  /** The plan for a request with these headers. */
  plan(headers: IncomingHttpHeaders): CredentialPlan {
    if (!this.provider.byok) return this.poolPlan;
    const own = this.provider.clientCredential(headers);
    if (!own) return this.poolPlan;
    const hint = maskKey(own.key);
    // Never in the pool's key state, so no id worth hashing for.
    const upstream: KeyCredential = { type: 'key', id: 'byok', hint, secrets: [own.key], key: own.key };
    const credential: Credential = { upstream, hint, kind: 'byok', headers: own.headers };
    return {
      kind: 'byok',
      byokKey: own.key,
      run(attempt, trace) {
        trace.attempts++;
        trace.credential = credential;
        return tracedAttempt(attempt, credential, trace);
      },
    };
  }
}
