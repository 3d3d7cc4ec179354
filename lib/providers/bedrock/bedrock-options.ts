/** Options of `bedrockProvider()`: the region and its endpoint, where credentials come from, how model names map. */
import { OptionsError, isPlainObject, rejectTogether, rejectUnknownKeys } from '../../options-check';
import type { PassthroughOption, ProviderCooldowns, ProviderTimeouts } from '../types';

/** AWS access keys, as the AWS SDK's credential providers give them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present with temporary credentials (an assumed role, SSO, instance roles). */
  sessionToken?: string;
  /** When temporary credentials stop working: they are loaded again before then. Absent: they do not expire. */
  expiration?: Date;
}

/** Options of `bedrockProvider()`. Credentials: `apiKeys`, or `credentials`, or neither (the AWS SDK's default chain); `roleArn` on top of the last two. */
export interface BedrockProviderOptions {
  /** Route prefix and record `providerName` (`/{name}/v1/messages`); `^[a-z0-9]+(-[a-z0-9]+)*$`, unique per bridge. Defaults to `bedrock`. */
  name?: string;
  /** The AWS region of the Bedrock runtime (`us-east-1`); also the SigV4 signing region. Required. */
  region: string;
  /** The Bedrock runtime endpoint (a VPC endpoint, a proxy). Defaults to `https://bedrock-runtime.{region}.amazonaws.com`. */
  baseURL?: string;
  /**
   * AWS access keys, or a function returning them (called once, then again only shortly before they expire), used to
   * sign each request with SigV4. Defaults to the AWS SDK's default credential chain (environment, shared config and
   * SSO, container and instance roles), which needs the optional package `@aws-sdk/credential-providers`.
   */
  credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
  /**
   * Bedrock API keys, sent as `Authorization: Bearer <key>` (no signing): a pool tried in order with failover, like
   * any provider's `keys`. Cannot be combined with `credentials` or `roleArn`. Defaults to none.
   */
  apiKeys?: string[];
  /**
   * A role to assume (with STS `AssumeRole`) using `credentials` or the default chain; its temporary credentials are
   * cached and renewed before they expire. Needs `@aws-sdk/credential-providers`. Defaults to none.
   */
  roleArn?: string;
  /** The external id the role's trust policy asks for (only with `roleArn`). Defaults to none. */
  externalId?: string;
  /**
   * The Bedrock model id (or inference-profile ARN) for a client model name that `models` does not map and that is not
   * itself a Bedrock id (e.g. `us.anthropic.claude-sonnet-4-5-20250929-v1:0`). Defaults to none: the name goes as given.
   */
  model?: string;
  /**
   * The Bedrock model id for Claude Code's small, fast model: client names containing `haiku` that `models` does not
   * map. Defaults to `model`.
   */
  smallFastModel?: string;
  /** Bedrock model ids (or ARNs) by the exact name a client sends (`{ 'claude-sonnet-4-5': 'us.anthropic.…' }`). Defaults to `{}`. */
  models?: Record<string, string>;
  /** How long before temporary credentials expire they are loaded again (at most half their lifetime). Defaults to 300,000 ms. */
  refreshBeforeMs?: number;
  /** Send `x-aibridge-actor-id` and `x-aibridge-actor-metadata-*` headers upstream. Defaults to false. */
  actorHeaders?: boolean;
  /** Upstream timeouts. Defaults to those of every provider (see `openaiProvider`). */
  timeouts?: ProviderTimeouts;
  /** Key cooldowns (API keys and credentials alike). Defaults to those of every provider. */
  cooldowns?: ProviderCooldowns;
  /** Passthrough routes (signed like bridged calls). Defaults to none: Bedrock serves none of Anthropic's `/v1/models` and the like. */
  passthrough?: PassthroughOption;
}

/** The factory's own options, checked (the common ones are checked by `normalizeProviderOptions`). */
export interface BedrockSettings {
  region: string;
  baseURL: string;
  credentials: AwsCredentials | (() => Promise<AwsCredentials>) | undefined;
  apiKeys: string[] | undefined;
  roleArn: string | undefined;
  externalId: string | undefined;
  model: string | undefined;
  smallFastModel: string | undefined;
  models: ReadonlyMap<string, string>;
  refreshBeforeMs: number;
}

export const BEDROCK_OWNER = 'bedrockProvider';
export const BEDROCK_DEFAULTS = { name: 'bedrock', refreshBeforeMs: 300_000 };
/** The options checked here; the rest are the common provider options. */
export const BEDROCK_OPTIONS = ['region', 'apiKeys', 'roleArn', 'externalId', 'model', 'smallFastModel', 'models', 'refreshBeforeMs'];
const KNOWN = ['name', 'baseURL', 'credentials', 'actorHeaders', 'timeouts', 'cooldowns', 'passthrough', ...BEDROCK_OPTIONS];

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
// A model id (`anthropic.claude-…-v1:0`, `us.anthropic.…`) or an ARN (`arn:aws:bedrock:…:inference-profile/…`).
const MODEL_ID = /^(?:arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d{0,12}:[A-Za-z-]+\/[A-Za-z0-9._:-]+|[A-Za-z0-9._:-]+)$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const NOT_IN_A_SECRET = /[\s\p{Cc}\p{Cf}]/u;

function modelId(option: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > 2048 || !MODEL_ID.test(v)) {
    throw new OptionsError(BEDROCK_OWNER, option, 'must be a Bedrock model id (e.g. "us.anthropic.claude-sonnet-4-5-20250929-v1:0") or an inference-profile ARN.');
  }
  return v;
}

function modelsOption(v: unknown): Map<string, string> {
  if (v === undefined) return new Map();
  if (!isPlainObject(v)) throw new OptionsError(BEDROCK_OWNER, 'models', 'must be an object of Bedrock model ids by client model name.');
  return new Map(Object.entries(v).map(([name, id]) => [name, modelId(`models.${name}`, id)!]));
}

/** `credentials` as given: access keys checked (never shown), or a function. */
function credentialsOption(v: unknown): BedrockSettings['credentials'] {
  if (v === undefined || typeof v === 'function') return v as BedrockSettings['credentials'];
  if (!isPlainObject(v)) throw new OptionsError(BEDROCK_OWNER, 'credentials', 'must be { accessKeyId, secretAccessKey, sessionToken? } or a function returning them.');
  rejectUnknownKeys(BEDROCK_OWNER, v, ['accessKeyId', 'secretAccessKey', 'sessionToken', 'expiration'], 'credentials.');
  checkAwsCredentials(v, (field) => new OptionsError(BEDROCK_OWNER, `credentials.${field}`, 'must be a non-empty string without whitespace or control characters.'));
  return v as unknown as AwsCredentials;
}

/** Throws `fail(field)` for the first unusable field of AWS credentials; never shows a value. */
export function checkAwsCredentials(v: Record<string, unknown>, fail: (field: string) => Error): void {
  for (const field of ['accessKeyId', 'secretAccessKey', 'sessionToken']) {
    const value = v[field];
    if (field === 'sessionToken' && value === undefined) continue;
    if (typeof value !== 'string' || value === '' || NOT_IN_A_SECRET.test(value)) throw fail(field);
  }
  if (v.expiration !== undefined && !(v.expiration instanceof Date && Number.isFinite(v.expiration.getTime()))) throw fail('expiration');
}

/** Checks the factory's own options and fills in their defaults; `options` is known to be an object. */
export function bedrockSettings(o: Record<string, unknown>): BedrockSettings {
  rejectUnknownKeys(BEDROCK_OWNER, o, KNOWN);
  if (Object.hasOwn(o, 'keys')) throw new OptionsError(BEDROCK_OWNER, 'keys', 'is not an option: Bedrock API keys go in `apiKeys`, AWS access keys in `credentials`.');
  const region = o.region;
  if (typeof region !== 'string' || !REGION.test(region)) throw new OptionsError(BEDROCK_OWNER, 'region', 'must be an AWS region such as "us-east-1".');
  rejectTogether(BEDROCK_OWNER, o, 'apiKeys', 'credentials');
  rejectTogether(BEDROCK_OWNER, o, 'apiKeys', 'roleArn');
  const { roleArn, externalId } = o;
  if (roleArn !== undefined && (typeof roleArn !== 'string' || !ROLE_ARN.test(roleArn))) {
    throw new OptionsError(BEDROCK_OWNER, 'roleArn', 'must be an IAM role ARN such as "arn:aws:iam::123456789012:role/bedrock-gateway".');
  }
  if (externalId !== undefined && (roleArn === undefined || typeof externalId !== 'string' || externalId === '' || externalId.length > 1224)) {
    throw new OptionsError(BEDROCK_OWNER, 'externalId', 'must be a non-empty string, given with `roleArn`.');
  }
  const refreshBeforeMs = o.refreshBeforeMs ?? BEDROCK_DEFAULTS.refreshBeforeMs;
  if (typeof refreshBeforeMs !== 'number' || !Number.isInteger(refreshBeforeMs) || refreshBeforeMs < 0 || refreshBeforeMs > 2_147_483_647) {
    throw new OptionsError(BEDROCK_OWNER, 'refreshBeforeMs', 'must be a whole number of milliseconds from 0 to 2147483647.');
  }
  const model = modelId('model', o.model);
  return {
    region,
    baseURL: typeof o.baseURL === 'string' ? o.baseURL : `https://bedrock-runtime.${region}.amazonaws.com`,
    credentials: credentialsOption(o.credentials),
    apiKeys: o.apiKeys as string[] | undefined,
    roleArn: roleArn as string | undefined,
    externalId: externalId as string | undefined,
    model,
    smallFastModel: modelId('smallFastModel', o.smallFastModel) ?? model,
    models: modelsOption(o.models),
    refreshBeforeMs,
  };
}
