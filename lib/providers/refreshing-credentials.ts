/** A credential source whose entries are long-lived secrets exchanged for short-lived tokens, refreshed before they expire. */
import { OptionsError, isPlainObject, rejectUnknownKeys } from '../options-check';
import { keyFingerprint, maskKey } from '../redaction/key-mask';
import type { CredentialEntry, CredentialSource, KeyCredential } from '../keypool/credentials';
import { untilAborted } from '../http/deadline';

/** What an exchange gives: the token to send as the key, and when it stops being valid. */
export interface ExchangedToken {
  token: string;
  /** Epoch milliseconds or a Date. */
  expiresAt: number | Date;
}

/** Options of {@link refreshingCredentials}. */
export interface RefreshingCredentialsOptions {
  /**
   * The long-lived secrets, one pool entry each, tried in order: a string, or `{ secret, id?, hint? }`. `id` defaults
   * to the secret's fingerprint, `hint` to its masked form. Required, at least one.
   */
  entries: Array<string | { secret: string; id?: string; hint?: string }>;
  /**
   * Exchanges an entry's secret for a token (e.g. a call to a token endpoint). A rejection counts as that entry's
   * failure: the pool cools it down and tries the next. `signal` ends when `exchangeTimeoutMs` has passed.
   */
  exchange(entry: { id: string; secret: string }, signal: AbortSignal): Promise<ExchangedToken>;
  /** How long before expiry a token is replaced (at most half its lifetime). Defaults to 60,000 ms. */
  refreshBeforeMs?: number;
  /** How long one exchange may take. Defaults to 10,000 ms. */
  exchangeTimeoutMs?: number;
  /** Clock in epoch milliseconds; tests pass a fake one. Defaults to `Date.now`. */
  now?: () => number;
}

const OWNER = 'refreshingCredentials';
/** How long a still-valid token keeps serving after a failed refresh before the next exchange is tried. */
const RETRY_AFTER_FAILURE_MS = 5_000;
const DEFAULTS = { refreshBeforeMs: 60_000, exchangeTimeoutMs: 10_000 };
// A token becomes a header value: one with whitespace or control characters could split or forge headers.
const NOT_IN_A_TOKEN = /[\s\p{Cc}\p{Cf}]/u;

interface EntryState {
  readonly entry: CredentialEntry;
  readonly secret: string;
  credential?: KeyCredential;
  /** When the current token is replaced, and when it stops being usable at all (epoch ms). */
  refreshAt: number;
  expiresAt: number;
  /** The exchange in flight: every attempt that needs a token meanwhile waits on this one. */
  pending?: Promise<KeyCredential>;
}

/**
 * A {@link CredentialSource} for tokens obtained by exchanging a long-lived secret (e.g. a GitHub token for a Copilot
 * token). A valid token is given synchronously; an expiring one is replaced by one exchange shared by every
 * concurrent attempt. The long-lived secrets and every token obtained are redacted; records show the entry's hint.
 */
export function refreshingCredentials(options: RefreshingCredentialsOptions): CredentialSource {
  if (!isPlainObject(options)) throw new OptionsError(OWNER, 'options', 'must be an object ({ entries, exchange }).');
  rejectUnknownKeys(OWNER, options as unknown as Record<string, unknown>, ['entries', 'exchange', 'refreshBeforeMs', 'exchangeTimeoutMs', 'now']);
  if (typeof options.exchange !== 'function') throw new OptionsError(OWNER, 'exchange', 'must be a function (entry, signal) => Promise<{ token, expiresAt }>.');
  const refreshBeforeMs = wholeMs('refreshBeforeMs', options.refreshBeforeMs, DEFAULTS.refreshBeforeMs, 0);
  const exchangeTimeoutMs = wholeMs('exchangeTimeoutMs', options.exchangeTimeoutMs, DEFAULTS.exchangeTimeoutMs, 1);
  const now = options.now ?? Date.now;
  const exchange = options.exchange;
  const states = entriesOf(options.entries);

  async function refresh(state: EntryState): Promise<KeyCredential> {
    const { id } = state.entry;
    const deadline = AbortSignal.timeout(exchangeTimeoutMs);
    // Raced here too: an exchange that ignores its signal must not hold every attempt of this entry.
    const answer = await untilAborted(Promise.resolve().then(() => exchange({ id, secret: state.secret }, deadline)), deadline);
    const token = answer?.token;
    const expiresAt = answer?.expiresAt instanceof Date ? answer.expiresAt.getTime() : answer?.expiresAt;
    if (typeof token !== 'string' || token === '' || NOT_IN_A_TOKEN.test(token)) throw new Error(`${OWNER}: the exchange for entry ${id} gave no usable token.`);
    const obtainedAt = now();
    if (typeof expiresAt !== 'number' || !(expiresAt > obtainedAt)) throw new Error(`${OWNER}: the exchange for entry ${id} gave a token that has already expired.`);
    state.credential = { type: 'key', id, hint: state.entry.hint, secrets: [token], key: token };
    state.expiresAt = expiresAt;
    state.refreshAt = expiresAt - Math.min(refreshBeforeMs, (expiresAt - obtainedAt) / 2);
    return state.credential;
  }

  function renew(state: EntryState): Promise<KeyCredential> {
    state.pending ??= refresh(state).finally(() => (state.pending = undefined));
    return state.pending;
  }

  return {
    entries: states.map((s) => s.entry),
    current(index, signal) {
      const state = states[index];
      const at = now();
      if (state.credential && at < state.refreshAt) return state.credential;
      const renewed = renew(state);
      // A token still valid serves while its replacement is fetched; a failed replacement leaves it in use.
      if (state.credential && at < state.expiresAt) {
        const current = state.credential;
        renewed.catch(() => {
          // Not again on every attempt while the exchange keeps failing: retry a little later, within the token's life.
          if (state.credential === current) state.refreshAt = Math.min(state.expiresAt, now() + RETRY_AFTER_FAILURE_MS);
        });
        return current;
      }
      return signal ? untilAborted(renewed, signal) : renewed;
    },
  };
}

function entriesOf(entries: unknown): EntryState[] {
  if (!Array.isArray(entries) || entries.length === 0) throw new OptionsError(OWNER, 'entries', 'must be a non-empty array of secrets (strings or { secret, id?, hint? }).');
  const ids = new Set<string>();
  return entries.map((e: unknown, i) => {
    const given = typeof e === 'string' ? { secret: e } : isPlainObject(e) ? (e as { secret?: unknown; id?: unknown; hint?: unknown }) : undefined;
    const secret = given?.secret;
    if (typeof secret !== 'string' || secret === '' || NOT_IN_A_TOKEN.test(secret)) {
      throw new OptionsError(OWNER, `entries[${i}]`, 'must be a non-empty secret without whitespace or control characters (or { secret, id?, hint? }).');
    }
    const id = given!.id ?? keyFingerprint(secret);
    const hint = given!.hint ?? maskKey(secret);
    if (typeof id !== 'string' || id === '' || ids.has(id)) throw new OptionsError(OWNER, `entries[${i}].id`, 'must be a non-empty string, different for each entry.');
    if (typeof hint !== 'string' || hint.includes(secret)) throw new OptionsError(OWNER, `entries[${i}].hint`, 'must be a string that does not contain the secret.');
    ids.add(id);
    return { entry: { id, hint, secrets: [secret] }, secret, refreshAt: 0, expiresAt: 0 };
  });
}

function wholeMs(option: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 2_147_483_647) {
    throw new OptionsError(OWNER, option, `must be a whole number of milliseconds from ${min} to 2147483647.`);
  }
  return value;
}
