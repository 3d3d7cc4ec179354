/** Where Bedrock credentials come from: API keys, access keys, a function, the AWS default chain, an assumed role; cached, renewed before expiry. */
import { OptionsError } from '../../options-check';
import { signingCredential, staticCredentials, staticKey, type CredentialSource, type SigningCredential } from '../../keypool/credentials';
import { loadOptionalPeer } from '../../observability/optional-peer';
import { untilAborted } from '../../http/deadline';
import { BEDROCK_OWNER, checkAwsCredentials, type AwsCredentials, type BedrockSettings } from './bedrock-options';

/** The optional package that holds the AWS SDK's credential chain and role assumption. */
export const CREDENTIAL_PROVIDERS_PACKAGE = '@aws-sdk/credential-providers';

/** A still-valid credential whose renewal failed is retried this much later (within its life), not on every attempt. */
const RETRY_AFTER_FAILURE_MS = 5_000;
const NOT_IN_A_KEY = /[\s\p{Cc}\p{Cf}]/u;

type LoadCredentials = () => Promise<AwsCredentials>;

/** Bedrock API keys as a pool of bearer keys, checked (naming each by its index only). */
export function apiKeyCredentials(keys: unknown): CredentialSource {
  if (!Array.isArray(keys) || keys.length === 0) throw new OptionsError(BEDROCK_OWNER, 'apiKeys', 'must be a non-empty array of Bedrock API keys.');
  const seen = new Set<string>();
  keys.forEach((key: unknown, i) => {
    if (typeof key !== 'string' || key === '' || NOT_IN_A_KEY.test(key)) {
      throw new OptionsError(BEDROCK_OWNER, `apiKeys[${i}]`, 'must be a non-empty string without whitespace, control or invisible characters.');
    }
    if (seen.has(key)) throw new OptionsError(BEDROCK_OWNER, `apiKeys[${i}]`, 'is listed twice; list each key once.');
    seen.add(key);
  });
  return staticCredentials((keys as string[]).map((key) => staticKey(key)));
}

/**
 * The signing credentials of `settings`: fixed access keys as they are; a function, the default chain or a role as
 * one pool entry whose credentials are loaded at the first request, kept, and loaded again before they expire.
 */
export function signingCredentials(settings: BedrockSettings, now: () => number = Date.now): CredentialSource {
  const given = settings.credentials;
  if (given !== undefined && typeof given !== 'function' && settings.roleArn === undefined) {
    return staticCredentials([signingCredential(given)]);
  }
  const base: LoadCredentials = typeof given === 'function' ? given : given !== undefined ? () => Promise.resolve(given) : defaultChain();
  const load = settings.roleArn === undefined ? base : assumedRole(settings, base);
  const described = settings.roleArn ?? (typeof given === 'function' ? 'credentials()' : 'the AWS default credential chain');
  return cachedCredentials(load, described, settings.refreshBeforeMs, now);
}

interface CredentialProviders {
  fromNodeProviderChain(init?: Record<string, unknown>): LoadCredentials;
  fromTemporaryCredentials(init: Record<string, unknown>): LoadCredentials;
}

function credentialProviders(option: string): CredentialProviders {
  return loadOptionalPeer(BEDROCK_OWNER, option, CREDENTIAL_PROVIDERS_PACKAGE) as CredentialProviders;
}

/** The AWS SDK's default chain (environment, shared files, SSO, container and instance roles). */
function defaultChain(): LoadCredentials {
  return credentialProviders('credentials').fromNodeProviderChain();
}

/** Temporary credentials of `roleArn`, assumed with `base`'s. */
function assumedRole(settings: BedrockSettings, base: LoadCredentials): LoadCredentials {
  return credentialProviders('roleArn').fromTemporaryCredentials({
    params: {
      RoleArn: settings.roleArn,
      RoleSessionName: 'express-aibridge',
      ...(settings.externalId === undefined ? {} : { ExternalId: settings.externalId }),
    },
    masterCredentials: base,
    clientConfig: { region: settings.region },
  });
}

/**
 * One pool entry whose credentials come from `load`: loaded once and shared by every concurrent attempt, kept until
 * `refreshBeforeMs` (at most half their lifetime) before they expire, then loaded again while the old ones still
 * serve. Credentials without an expiry are kept for good. A failed load is that entry's failure (the pool cools it).
 */
export function cachedCredentials(load: LoadCredentials, described: string, refreshBeforeMs: number, now: () => number = Date.now): CredentialSource {
  const entry = { id: `aws:${described}`, hint: 'aws-credentials', secrets: [] as string[] };
  let current: SigningCredential | undefined;
  let refreshAt = 0;
  let expiresAt = 0;
  let pending: Promise<SigningCredential> | undefined;

  async function refresh(): Promise<SigningCredential> {
    const got = await load();
    if (!got || typeof got !== 'object') throw new Error(`${BEDROCK_OWNER}: ${described} gave no credentials.`);
    checkAwsCredentials(got as unknown as Record<string, unknown>, (field) => new Error(`${BEDROCK_OWNER}: ${described} gave credentials with an unusable ${field}.`));
    const obtainedAt = now();
    const expiry = got.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
    if (!(expiry > obtainedAt)) throw new Error(`${BEDROCK_OWNER}: ${described} gave credentials that have already expired.`);
    // The same keys again (a provider's own cache): the same object, so the pool learns nothing new.
    const same = current && current.accessKeyId === got.accessKeyId && current.secretAccessKey === got.secretAccessKey && current.sessionToken === got.sessionToken;
    if (!same) current = signingCredential({ accessKeyId: got.accessKeyId, secretAccessKey: got.secretAccessKey, sessionToken: got.sessionToken, id: entry.id });
    expiresAt = expiry;
    refreshAt = expiry - Math.min(refreshBeforeMs, (expiry - obtainedAt) / 2);
    return current!;
  }

  function renew(): Promise<SigningCredential> {
    pending ??= refresh().finally(() => (pending = undefined));
    return pending;
  }

  return {
    entries: [entry],
    current(_index, signal) {
      const at = now();
      if (current && at < refreshAt) return current;
      const renewed = renew();
      if (current && at < expiresAt) {
        const serving = current;
        renewed.catch(() => {
          if (current === serving) refreshAt = Math.min(expiresAt, now() + RETRY_AFTER_FAILURE_MS);
        });
        return serving;
      }
      return signal ? untilAborted(renewed, signal) : renewed;
    },
  };
}
