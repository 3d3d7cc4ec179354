/** A provider's key pool: walks keys in order, cools down failing ones, reports exhaustion in one shape. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'winston';
import { GatewayError, errorTypeForStatus, gatewayErrorForTransport } from '../errors';
import { FAILURE_LOG_INTERVAL_MS, LogThrottle } from '../observability/log-throttle';
import { errorMessage } from '../observability/logger';
import { CLASSIFIED_STATUSES, FAILURE_PREFIX_BYTES, classifyByStatus, type FailureClass, type FailureClassifier } from './failure-table';
import type { ProviderCooldowns } from './types';
import type { CredentialKind, UpstreamAttempt } from '../recorder/types';
import { keyFingerprint, maskKey } from '../redaction/key-mask';
import { clampCooldownMs, parseRetryAfterMs } from './retry-after';
import type { CooldownReason, KeyCooldown, KeyStateSource, KeyStateStore } from './types';
import type { KeyPoolEvents } from '../observability/metrics/types';

/** A key ready to be sent upstream, with the masked form that may be logged and recorded. */
export interface Credential {
  readonly key: string;
  readonly hint: string;
  readonly kind: CredentialKind;
  /** Headers that carry this key upstream when they are not the provider's usual ones (BYOK keeps the client's form). */
  readonly headers?: Readonly<Record<string, string>>;
}

interface PoolEntry extends Credential {
  readonly fingerprint: string;
}

/** What any upstream attempt returns: enough to judge it, and a way to throw its body away. */
export interface AttemptResult {
  status: number;
  headers: IncomingHttpHeaders;
  discard(): void;
  /** The body's first bytes, kept for whoever reads the body next; without it a refusal is judged by its status alone. */
  peekBody?(maxBytes: number): Promise<Buffer>;
}

/** Filled in while walking, for records and metrics. */
export interface AttemptTrace {
  /** The route this call goes to (fixed by the bridge, e.g. `/v1/responses`), named when a key is refused for a missing scope. */
  readonly scope?: string;
  attempts: number;
  /** Attempts that ended in a key failure and moved on to the next key. */
  failovers?: number;
  /** Set when no key was left to try. */
  exhausted?: boolean;
  credential?: Credential;
  /** Every upstream call, in order, when the caller wants them (for the end record). */
  log?: UpstreamAttempt[];
}

/** Runs one attempt and notes it in `trace.log`: the hint, the status or error, the time to the answer's headers. */
export async function tracedAttempt<R extends AttemptResult>(attempt: (credential: Credential) => Promise<R>, credential: Credential, trace: AttemptTrace): Promise<R> {
  const started = Date.now();
  try {
    const result = await attempt(credential);
    trace.log?.push({
      credentialHint: credential.hint, httpStatus: result.status, durationMs: Date.now() - started,
      ...(result.status >= 400 ? { errorType: errorTypeForStatus(result.status) } : {}),
    });
    return result;
  } catch (err) {
    const errorType = (err as { name?: unknown })?.name === 'AbortError' ? 'aborted' : gatewayErrorForTransport(err).errorType;
    trace.log?.push({ credentialHint: credential.hint, errorType, durationMs: Date.now() - started });
    throw err;
  }
}

/** One key's state, for dashboards and health checks (no key material). */
export interface KeyStatus {
  hint: string;
  state: 'healthy' | 'cooling';
  coolingUntil?: Date;
  reason?: CooldownReason;
}

export class KeyPool {
  private readonly entries: readonly PoolEntry[];
  private readonly fingerprints: readonly string[];
  // A key that keeps failing, or a store that stays down, would otherwise log once per request.
  private readonly throttle = new LogThrottle(FAILURE_LOG_INTERVAL_MS);
  /** Told of cooldowns and exhaustion (for metrics); none by default. */
  events: KeyPoolEvents | undefined;

  constructor(
    keys: readonly string[],
    private readonly store: KeyStateStore,
    private readonly cooldowns: Required<ProviderCooldowns>,
    private readonly logger: Logger,
    /** The provider adapter's judge of 401/403/429 answers; by status alone when not given. */
    private readonly classify: FailureClassifier = (status) => classifyByStatus(status),
  ) {
    // Hashing happens here, once, never on the request path.
    this.entries = keys.map((key) => ({ key, hint: maskKey(key), kind: 'centralized', fingerprint: keyFingerprint(key) }));
    this.fingerprints = this.entries.map((e) => e.fingerprint);
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * Tries healthy keys in order until one gives an answer that is not a key failure, and returns it: a 429 or 401
   * the provider adapter judges the key's (see FailureClass) cools the key and moves on; one the request caused is
   * returned as it is. Transport errors propagate (no failover). Throws a {@link GatewayError} when no key is left.
   */
  async walk<R extends AttemptResult>(attempt: (credential: Credential) => Promise<R>, trace: AttemptTrace): Promise<R> {
    const current = await this.readCooldowns();
    const now = Date.now();
    const cooling: KeyCooldown[] = [];
    // An unclear refusal, kept in case no other key does better.
    let held: { result: R; entry: PoolEntry } | undefined;
    for (let i = 0; i < this.entries.length; i++) {
      const known = current[i];
      if (known && known.until > now) {
        cooling.push(known);
        continue;
      }
      const entry = this.entries[i];
      trace.attempts++;
      trace.credential = entry;
      const result = await tracedAttempt(attempt, entry, trace);
      const verdict = await this.judge(result);
      if (verdict === undefined || verdict === 'request_fault') return result;
      if (verdict === 'scope_fault') {
        this.noteMissingScope(entry, trace.scope);
        return result;
      }
      held?.result.discard();
      held = undefined;
      trace.failovers = (trace.failovers ?? 0) + 1;
      if (verdict === 'unclear') {
        held = { result, entry };
        continue;
      }
      result.discard();
      const cooldown = this.cooldownFor(result);
      cooling.push(cooldown);
      await this.mark(entry, cooldown);
    }
    if (held) {
      trace.failovers!--;
      trace.credential = held.entry;
      return held.result;
    }
    trace.exhausted = true;
    this.events?.exhausted();
    throw exhausted(cooling, Date.now());
  }

  /** Every key's state, in pool order. */
  async status(): Promise<KeyStatus[]> {
    const current = await this.readCooldowns();
    const now = Date.now();
    return this.entries.map((e, i) => {
      const c = current[i];
      return c && c.until > now
        ? { hint: e.hint, state: 'cooling' as const, coolingUntil: new Date(c.until), reason: c.reason }
        : { hint: e.hint, state: 'healthy' as const };
    });
  }

  /** Which store answered the last key-state read (ask after {@link status}, which reads). */
  source(): KeyStateSource {
    return this.store.source?.() ?? 'custom';
  }

  /** How the adapter judges a refusal (reading a bounded prefix of its body), or undefined for any other answer. */
  private async judge(result: AttemptResult): Promise<FailureClass | undefined> {
    if (!CLASSIFIED_STATUSES.has(result.status)) return undefined;
    const prefix = result.peekBody ? await result.peekBody(FAILURE_PREFIX_BYTES) : undefined;
    return this.classify(result.status, result.headers, prefix === undefined ? '' : prefix.toString('utf8'));
  }

  private cooldownFor(result: AttemptResult): KeyCooldown {
    const now = Date.now();
    if (result.status === 429) {
      const asked = parseRetryAfterMs(result.headers, now) ?? this.cooldowns.rateLimitedMs;
      return { until: now + clampCooldownMs(asked, this.cooldowns.maxMs), reason: 'rate_limited' };
    }
    return { until: now + clampCooldownMs(this.cooldowns.unauthorizedMs, this.cooldowns.maxMs), reason: 'unauthorized' };
  }

  /**
   * A key refused for a missing scope is named in a warning, and nothing more: whether the scope is the route's or
   * one that this request's content needed (a tool, a store) cannot be told apart, so remembering it would let one
   * user's requests take a route away from everyone.
   */
  private noteMissingScope(entry: PoolEntry, scope: string | undefined): void {
    const suppressed = this.throttle.allow(`scope:${entry.fingerprint}:${scope}`);
    if (suppressed !== false) {
      this.logger.warn('provider key refused for a missing scope; the refusal was relayed to the client', { key: entry.hint, route: scope, suppressed });
    }
  }

  private async readCooldowns(): Promise<Array<KeyCooldown | undefined>> {
    try {
      return await this.store.getCooldowns(this.fingerprints);
    } catch (err) {
      // A broken custom store must not take the gateway down: serve as if every key were healthy.
      const suppressed = this.throttle.allow('store-read');
      if (suppressed !== false) this.logger.warn('key state store read failed', { error: errorMessage(err), suppressed });
      return [];
    }
  }

  private async mark(entry: PoolEntry, cooldown: KeyCooldown): Promise<void> {
    this.events?.cooldown(cooldown.reason);
    const suppressed = this.throttle.allow(`cooling:${entry.fingerprint}:${cooldown.reason}`);
    if (suppressed !== false) {
      this.logger.warn('provider key cooling down', { key: entry.hint, reason: cooldown.reason, until: new Date(cooldown.until).toISOString(), suppressed });
    }
    try {
      await this.store.markCooldown(entry.fingerprint, cooldown);
    } catch (err) {
      const suppressed = this.throttle.allow('store-write');
      if (suppressed !== false) this.logger.warn('key state store write failed', { error: errorMessage(err), suppressed });
    }
  }
}

function exhausted(cooling: readonly KeyCooldown[], now: number): GatewayError {
  const rateLimited = cooling.filter((c) => c.reason === 'rate_limited');
  if (rateLimited.length > 0) {
    const soonest = Math.min(...rateLimited.map((c) => c.until));
    const retryAfterSec = Math.max(0, Math.ceil((soonest - now) / 1000));
    return new GatewayError({ status: 429, errorType: 'rate_limited', code: 'rate_limit_exceeded', message: 'All configured keys are rate-limited.', retryAfterSec });
  }
  return new GatewayError({ status: 502, errorType: 'server_error', code: 'keys_exhausted', message: 'All configured keys failed authentication.' });
}
