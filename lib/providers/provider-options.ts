/** Validates the options every provider factory shares, against one literal defaults object. */
import { versionOf } from '../http/route-hint';
import { OptionsError, isPlainObject, optionalBoolean, positiveIntGroup, rejectUnknownKeys } from '../options-check';
import { isCredentialSource, staticCredentials, staticKey, type CredentialSource, type UpstreamCredential } from '../keypool/credentials';
import type { ProviderAdapter, ProviderCooldowns, ProviderOptions, ProviderTimeouts } from './types';

export const PROVIDER_DEFAULTS = {
  keys: [] as string[],
  byok: false,
  actorHeaders: false,
  timeouts: { connectMs: 10_000, headersMs: 600_000, idleMs: 300_000, totalMs: 1_800_000 } satisfies Required<ProviderTimeouts>,
  cooldowns: { unauthorizedMs: 60_000, rateLimitedMs: 60_000, maxMs: 3_600_000 } satisfies Required<ProviderCooldowns>,
};

const KNOWN = ['name', 'baseURL', 'keys', 'credentials', 'byok', 'actorHeaders', 'timeouts', 'cooldowns', 'passthrough'] as const;
const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export interface NormalizedProviderOptions {
  name: string;
  baseURL: string;
  keys: readonly string[];
  credentials: CredentialSource;
  byok: boolean;
  actorHeaders: boolean;
  timeouts: Required<ProviderTimeouts>;
  cooldowns: Required<ProviderCooldowns>;
}

// Whitespace, control and invisible format characters: a key copied with a stray space or newline would be
// sent as-is and fail as "unauthorized" far from its cause, or break the header.
const NOT_IN_A_KEY = /[\s\p{Cc}\p{Cf}]/u;

/** Rejects unusable keys, naming each by its index only: the message must never show key material. */
function checkKeys(owner: string, keys: unknown[]): asserts keys is string[] {
  const seen = new Map<string, number>();
  keys.forEach((key, i) => {
    if (typeof key !== 'string' || key === '') throw new OptionsError(owner, `keys[${i}]`, 'must be a non-empty string.');
    if (NOT_IN_A_KEY.test(key)) throw new OptionsError(owner, `keys[${i}]`, 'must not contain whitespace, control or invisible characters (check for a space or newline copied with the key).');
    const first = seen.get(key);
    if (first !== undefined) throw new OptionsError(owner, `keys[${i}]`, `is the same key as \`keys[${first}]\`; list each key once.`);
    seen.set(key, i);
  });
}

/** `keys` as a static source of key credentials. */
function keyCredentials(owner: string, option: unknown, byok: boolean): CredentialSource {
  const keys = option ?? PROVIDER_DEFAULTS.keys;
  if (!Array.isArray(keys)) throw new OptionsError(owner, 'keys', 'must be an array of non-empty strings.');
  checkKeys(owner, keys);
  if (keys.length === 0 && !byok) throw new OptionsError(owner, 'keys', 'must hold at least one key (or set `byok: true`).');
  return staticCredentials(keys.map((key) => staticKey(key)));
}

/** `credentials`, checked: a source, or a list of credentials of the types this provider sends. Never shows secrets. */
function credentialsOption(owner: string, o: Record<string, unknown>, types: readonly string[], byok: boolean): CredentialSource {
  if (o.keys !== undefined) throw new OptionsError(owner, 'credentials', 'cannot be given with `keys`: give one of them (a key is `staticKey(key)` in `credentials`).');
  const given = o.credentials;
  const source = isCredentialSource(given) ? given : Array.isArray(given) ? undefined : null;
  if (source === null) throw new OptionsError(owner, 'credentials', 'must be an array of credentials (e.g. `[staticKey(key)]`) or a credential source ({ entries, current }).');
  const entries: readonly unknown[] = source ? source.entries : (given as unknown[]);
  const ids = new Map<string, number>();
  entries.forEach((c, i) => {
    const at = source ? `credentials.entries[${i}]` : `credentials[${i}]`;
    const e = c as Partial<UpstreamCredential> | undefined;
    if (!e || typeof e !== 'object' || typeof e.id !== 'string' || e.id === '' || typeof e.hint !== 'string' || !Array.isArray(e.secrets) || !e.secrets.every((s) => typeof s === 'string' && s !== '')) {
      throw new OptionsError(owner, at, 'must have a non-empty string `id`, a string `hint` and `secrets`, an array of non-empty strings.');
    }
    if (!source && !types.includes(e.type as string)) throw new OptionsError(owner, `${at}.type`, `must be one of ${types.map((t) => `"${t}"`).join(', ')} for this provider.`);
    if (!source && e.type === 'key' && (typeof e.key !== 'string' || e.key === '' || NOT_IN_A_KEY.test(e.key))) {
      throw new OptionsError(owner, `${at}.key`, 'must be a non-empty string without whitespace, control or invisible characters.');
    }
    const first = ids.get(e.id);
    if (first !== undefined) throw new OptionsError(owner, `${at}.id`, `is the same as entry ${first}'s; ids name entries in key state, so give each its own.`);
    ids.set(e.id, i);
  });
  if (entries.length === 0 && !byok) throw new OptionsError(owner, 'credentials', 'must hold at least one credential (or set `byok: true`).');
  return source ?? staticCredentials([...(given as UpstreamCredential[])]);
}

/**
 * A warning for a `baseURL` whose path would break every upstream route, with the URL the provider most likely meant;
 * otherwise undefined. `route` is one of the provider's API routes (`/v1/messages`): its first segment is the version.
 * - The route prefix belongs in the base URL (OpenAI's `/v1`) but the URL has no path: `https://api.openai.com`.
 * - The route prefix does not (Anthropic) but the URL ends in the version: `https://api.anthropic.com/v1` → `/v1/v1/messages`.
 * A provider that maps its own upstream paths (`upstreamPath`) knows them: no guess is made for it.
 * Only the origin and path are used, so credentials in the URL never reach the log line built from this.
 */
export function baseURLWarning(provider: Pick<ProviderAdapter, 'name' | 'baseURL' | 'routePrefixInBaseURL' | 'upstreamPath'>, route: string): string | undefined {
  if (provider.upstreamPath) return undefined;
  const url = new URL(provider.baseURL);
  const path = url.pathname.replace(/\/+$/, '');
  const where = `aibridge: provider "${provider.name}": baseURL ${url.origin}${path}`;
  const prefix = provider.routePrefixInBaseURL;
  if (prefix !== '') {
    return path === '' ? `${where} has no path, so upstream paths will lack ${prefix}; did you mean ${url.origin}${prefix}?` : undefined;
  }
  const version = versionOf(route);
  if (version === '' || !path.endsWith(version)) return undefined;
  return `${where} ends in ${version}, so upstream paths would be ${path}${route}; did you mean ${url.origin}${path.slice(0, -version.length)}?`;
}

/** Checks `options` (throwing an error that names the bad option) and fills in defaults; `ownOptions` are the factory's own, checked by it. */
export function normalizeProviderOptions(owner: string, options: ProviderOptions | undefined, defaults: { name: string; baseURL: string },
  ownOptions: readonly string[] = [], credentialTypes: ReadonlyArray<UpstreamCredential['type']> = ['key']): NormalizedProviderOptions {
  const o: Record<string, unknown> = options === undefined ? {} : (options as Record<string, unknown>);
  if (!isPlainObject(o)) throw new OptionsError(owner, 'options', 'must be an object.');
  rejectUnknownKeys(owner, o, [...KNOWN, ...ownOptions]);

  const name = o.name ?? defaults.name;
  if (typeof name !== 'string' || !NAME.test(name)) throw new OptionsError(owner, 'name', 'must match ^[a-z0-9]+(-[a-z0-9]+)*$ (e.g. "openai", "openai-eu").');

  const baseURL = o.baseURL ?? defaults.baseURL;
  let parsed: URL | undefined;
  try {
    parsed = typeof baseURL === 'string' ? new URL(baseURL) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.search || parsed.hash) {
    throw new OptionsError(owner, 'baseURL', 'must be an absolute http(s) URL without query or fragment.');
  }

  const byok = optionalBoolean(owner, 'byok', o.byok, PROVIDER_DEFAULTS.byok);
  const credentials = o.credentials === undefined ? keyCredentials(owner, o.keys, byok) : credentialsOption(owner, o, credentialTypes, byok);

  return {
    name,
    baseURL: parsed.href.replace(/\/+$/, ''),
    keys: o.credentials === undefined ? [...(o.keys as string[] | undefined ?? [])] : [],
    credentials,
    byok,
    actorHeaders: optionalBoolean(owner, 'actorHeaders', o.actorHeaders, PROVIDER_DEFAULTS.actorHeaders),
    timeouts: positiveIntGroup(owner, 'timeouts', o.timeouts, PROVIDER_DEFAULTS.timeouts),
    cooldowns: positiveIntGroup(owner, 'cooldowns', o.cooldowns, PROVIDER_DEFAULTS.cooldowns),
  };
}
