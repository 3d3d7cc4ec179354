/** A provider's key pool: walks keys in order, cools down failing ones, reports exhaustion in one shape. */
import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'winston';
import { GatewayError, errorTypeForStatus, gatewayErrorForTransport } from '../errors';
import { FAILURE_LOG_INTERVAL_MS, LogThrottle } from '../observability/log-throttle';
import { errorMessage } from '../observability/logger';
import { CLASSIFIED_STATUSES, FAILURE_PREFIX_BYTES, classifyByStatus, type FailureClass, type FailureClassifier } from './failure-table';
import type { ProviderCooldowns } from './types';
import type { UpstreamAttempt } from '../recorder/types';
import { keyFingerprint } from '../redaction/key-mask';
import { isCredentialSource, staticCredentials, staticKey, type CredentialSource } from './credentials';
import { EntryCredentials, NoCredential, isThenable, type Credential, type LearnCredential } from './entry-credentials';
import { clampCooldownMs, parseRetryAfterMs } from './retry-after';
import type { CooldownReason, KeyCooldown, KeyStateSource, KeyStateStore } from './types';
import type { KeyPoolEvents } from '../observability/metrics/types';

export type { Credential, LearnCredential } from './entry-credentials';

interface PoolEntry {
  readonly index: number;
  readonly hint: string;
  /** Of the entry's id: its name in key state. */
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
  /** Time spent waiting for upstream answers' heads, summed over every attempt (ms, fractional): what `Server-Timing` calls the upstream's. */
  upstreamMs?: number;
  /** The request's logger, for the lines about its attempts. Defaults to the pool's. */
  readonly logger?: Logger;
}

/** Runs one attempt and notes it in `trace.log`: the hint, the status or error, the time to the answer's headers. */
export async function tracedAttempt<R extends AttemptResult>(attempt: (credential: Credential) => Promise<R>, credential: Credential, trace: AttemptTrace): Promise<R> {
  const started = performance.now();
  try {
    const result = await attempt(credential);
    const elapsed = waited(trace, started);
    if (trace.log) {
      // Set, not spread: V8 copies a spread object through a slow path, on every request.
      const attempt: UpstreamAttempt = { credentialHint: credential.hint, httpStatus: result.status, durationMs: Math.round(elapsed) };
      if (result.status >= 400) attempt.errorType = errorTypeForStatus(result.status);
      trace.log.push(attempt);
    }
    return result;
  } catch (err) {
    const elapsed = waited(trace, started);
    const errorType = (err as { name?: unknown })?.name === 'AbortError' ? 'aborted' : gatewayErrorForTransport(err).errorType;
    trace.log?.push({ credentialHint: credential.hint, errorType, durationMs: Math.round(elapsed) });
    throw err;
  }
}

/** Adds the time since `started` to the trace's upstream wait and returns it. */
function waited(trace: AttemptTrace, started: number): number {
  const elapsed = performance.now() - started;
  trace.upstreamMs = (trace.upstreamMs ?? 0) + elapsed;
  return elapsed;
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

  private readonly credentials: EntryCredentials;
  /** Whether an attempt may wait for its credential (a host's source, e.g. a token exchange), so that a walk needs a signal. */
  readonly mayWaitForCredentials: boolean;

  constructor(
    /** Static keys, or where the credentials come from. */
    credentials: readonly string[] | CredentialSource,
    private readonly store: KeyStateStore,
    private readonly cooldowns: Required<ProviderCooldowns>,
    private readonly logger: Logger,
    /** The provider adapter's judge of 401/403/429 answers; by status alone when not given. */
    private readonly classify: FailureClassifier = (status) => classifyByStatus(status),
    /** Told of each credential the source gives that the pool has not seen before (the redaction rule learns its secrets). */
    learn?: LearnCredential,
  ) {
    const source: CredentialSource = isCredentialSource(credentials) ? credentials : staticCredentials(credentials.map((key) => staticKey(key)));
    this.credentials = new EntryCredentials(source, learn);
    this.mayWaitForCredentials = source.answersAtOnce !== true;
    // Hashing happens here, once, never on the request path.
    this.entries = source.entries.map((e, index) => ({ index, hint: e.hint, fingerprint: keyFingerprint(e.id) }));
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
  async walk<R extends AttemptResult>(attempt: (credential: Credential) => Promise<R>, trace: AttemptTrace, signal?: AbortSignal): Promise<R> {
    // A store that answers at once (the in-process one) and an answer that is no refusal cost no promise of their own.
    const read = this.readCooldowns(trace);
    const current = read instanceof Promise ? await read : read;
    const now = Date.now();
    const cooling: KeyCooldown[] = [];
    // An unclear refusal, kept in case no other key does better.
    let held: { result: R; credential: Credential } | undefined;
    for (let i = 0; i < this.entries.length; i++) {
      const known = current[i];
      if (known && known.until > now) {
        cooling.push(known);
        continue;
      }
      const entry = this.entries[i];
      const got = this.credentials.get(i, signal);
      const credential = got instanceof Promise ? await got : got;
      if (credential instanceof NoCredential) {
        this.noteNoCredential(entry, credential, trace);
        trace.attempts++;
        trace.failovers = (trace.failovers ?? 0) + 1;
        const cooldown = this.cooldownFor(undefined);
        cooling.push(cooldown);
        await this.mark(entry, cooldown, trace);
        continue;
      }
      trace.attempts++;
      trace.credential = credential;
      const result = await tracedAttempt(attempt, credential, trace);
      const judging = this.judge(result);
      const verdict = judging instanceof Promise ? await judging : judging;
      if (verdict === undefined || verdict === 'request_fault') return result;
      if (verdict === 'scope_fault') {
        this.noteMissingScope(entry, trace);
        return result;
      }
      held?.result.discard();
      held = undefined;
      trace.failovers = (trace.failovers ?? 0) + 1;
      if (verdict === 'unclear') {
        held = { result, credential };
        continue;
      }
      result.discard();
      const cooldown = this.cooldownFor(result);
      cooling.push(cooldown);
      await this.mark(entry, cooldown, trace);
    }
    if (held) {
      trace.failovers!--;
      trace.credential = held.credential;
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
  private judge(result: AttemptResult): FailureClass | undefined | Promise<FailureClass | undefined> {
    return CLASSIFIED_STATUSES.has(result.status) ? this.judgeRefusal(result) : undefined;
  }

  private async judgeRefusal(result: AttemptResult): Promise<FailureClass | undefined> {
    const prefix = result.peekBody ? await result.peekBody(FAILURE_PREFIX_BYTES) : undefined;
    return this.classify(result.status, result.headers, prefix === undefined ? '' : prefix.toString('utf8'));
  }

  /** The cooldown a refusal earns; `undefined` (the source gave no credential) rests the entry as an unauthorized one. */
  private cooldownFor(result: AttemptResult | undefined): KeyCooldown {
    const now = Date.now();
    if (result?.status === 429) {
      const asked = parseRetryAfterMs(result.headers, now) ?? this.cooldowns.rateLimitedMs;
      return { until: now + clampCooldownMs(asked, this.cooldowns.maxMs), reason: 'rate_limited' };
    }
    return { until: now + clampCooldownMs(this.cooldowns.unauthorizedMs, this.cooldowns.maxMs), reason: 'unauthorized' };
  }

  /** A source that could not give a credential (a failed token exchange): noted like a refused key. */
  private noteNoCredential(entry: PoolEntry, failure: NoCredential, trace: AttemptTrace): void {
    const suppressed = this.throttle.allow(`credential:${entry.fingerprint}`);
    if (suppressed !== false) {
      (trace.logger ?? this.logger).warn('provider credential could not be obtained; trying the next one', { key: entry.hint, error: errorMessage(failure.error), suppressed });
    }
    trace.log?.push({ credentialHint: entry.hint, errorType: 'unauthorized', durationMs: failure.durationMs });
  }

  /**
   * A key refused for a missing scope is named in a warning, and nothing more: whether the scope is the route's or
   * one that this request's content needed (a tool, a store) cannot be told apart, so remembering it would let one
   * user's requests take a route away from everyone.
   */
  private noteMissingScope(entry: PoolEntry, trace: AttemptTrace): void {
    const scope = trace.scope;
    const suppressed = this.throttle.allow(`scope:${entry.fingerprint}:${scope}`);
    if (suppressed !== false) {
      (trace.logger ?? this.logger).warn('provider key refused for a missing scope; the refusal was relayed to the client', { key: entry.hint, route: scope, suppressed });
    }
  }

  /** Every key's cooldown, in pool order: at once when the store answers at once. */
  private readCooldowns(trace?: AttemptTrace): Array<KeyCooldown | undefined> | Promise<Array<KeyCooldown | undefined>> {
    let read: ReturnType<KeyStateStore['getCooldowns']>;
    try {
      read = this.store.getCooldowns(this.fingerprints);
    } catch (err) {
      return this.unreadCooldowns(err, trace);
    }
    if (!isThenable(read)) return read;
    return Promise.resolve(read).then(undefined, (err: unknown) => this.unreadCooldowns(err, trace));
  }

  /** A broken custom store must not take the gateway down: serve as if every key were healthy. */
  private unreadCooldowns(err: unknown, trace: AttemptTrace | undefined): Array<KeyCooldown | undefined> {
    const suppressed = this.throttle.allow('store-read');
    if (suppressed !== false) (trace?.logger ?? this.logger).warn('key state store read failed', { error: errorMessage(err), suppressed });
    return [];
  }

  private async mark(entry: PoolEntry, cooldown: KeyCooldown, trace: AttemptTrace): Promise<void> {
    this.events?.cooldown(cooldown.reason);
    const suppressed = this.throttle.allow(`cooling:${entry.fingerprint}:${cooldown.reason}`);
    if (suppressed !== false) {
      (trace.logger ?? this.logger).warn('provider key cooling down', { key: entry.hint, reason: cooldown.reason, until: new Date(cooldown.until).toISOString(), suppressed });
    }
    try {
      await this.store.markCooldown(entry.fingerprint, cooldown);
    } catch (err) {
      const suppressed = this.throttle.allow('store-write');
      if (suppressed !== false) (trace.logger ?? this.logger).warn('key state store write failed', { error: errorMessage(err), suppressed });
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
