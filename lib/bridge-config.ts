/** createBridge options validated once, at creation, into the internal config the bridge runs on. */
import type { Logger } from 'winston';
import type { ActorResolver } from './http/actor-types';
import { MemoryKeyStateStore } from './keypool/memory-key-state-store';
import type { KeyStateStore } from './keypool/types';
import { createDefaultLogger } from './observability/logger';
import { clientDetectorFor, type ClientDetector } from './observability/client-detector';
import { OptionsError, isPlainObject, optionalBoolean, optionalPositiveInt, rejectUnknownKeys } from './options-check';
import type { BridgedProvider } from './providers/types';
import type { Recorder } from './recorder/types';
import type { ToolInjector } from './tools/types';
import { normalizeOwnership, type OwnershipConfig } from './ownership/ownership-options';
import { normalizeMetricsOptions, type MetricsConfig } from './observability/metrics/options';
import { normalizeLimits, type LimitsConfig } from './governance/limits/limit-options';
import { normalizeTracingOptions, type TracingConfig } from './observability/tracing/options';
import type { AuthorizeHook } from './pipeline/authorize';
import type { GuardHook, ResponseGuardHook } from './pipeline/guard';
import { CONTENT_MODES } from './recorder/content-mode';
import type { RecordContentOption } from './pipeline/record-content';
import { normalizeDumpOptions, type DumpConfig } from './observability/dumps/dump-options';
import { normalizeCircuitBreaker, type CircuitBreakerConfig } from './governance/circuit-breaker-options';
import { normalizeModelRoutes, type ModelRouteConfig } from './pipeline/model-routes/route-options';
import { BRIDGE_DEFAULTS, type BridgeOptions } from './options';

const KNOWN = ['providers', 'routes', 'actor', 'recorder', 'logger', 'keyState', 'maxBodyBytes', 'maxResponseBytes', 'dropHeaders', 'recorderTimeoutMs', 'recorderQueueMax', 'recorderQueueMaxBytes', 'maxRecordedTextBytes', 'tools', 'streamKeepAliveMs', 'maxInjectedTools', 'maxToolResultBytes', 'maxAccumulatedBytes', 'ownership', 'clients', 'metrics', 'tracing', 'serverTiming', 'authorize', 'authorizeTimeoutMs', 'maxConcurrent', 'maxConcurrentPerActor', 'dump', 'circuitBreaker', 'limits', 'limitStore', 'guard', 'responseGuard', 'guardTimeoutMs', 'recordContent', 'recordContentSalt'] as const;
const RECORDER_METHODS = ['recordInterception', 'recordInterceptionEnded', 'recordTokenUsage', 'recordPromptUsage', 'recordToolUsage'];

export interface BridgeConfig {
  providers: readonly BridgedProvider[];
  /** Empty when there are none. */
  routes: readonly ModelRouteConfig[];
  actor: ActorResolver;
  recorder: Recorder | undefined;
  logger: Logger;
  keyState: KeyStateStore;
  maxBodyBytes: number;
  maxResponseBytes: number;
  /** Lower-cased. */
  dropHeaders: readonly string[];
  recorderTimeoutMs: number;
  recorderQueueMax: number;
  recorderQueueMaxBytes: number;
  maxRecordedTextBytes: number;
  tools: ToolInjector | undefined;
  streamKeepAliveMs: number;
  maxInjectedTools: number;
  maxToolResultBytes: number;
  maxAccumulatedBytes: number;
  ownership: OwnershipConfig;
  clients: ClientDetector;
  /** Undefined when metrics are off. */
  metrics: MetricsConfig | undefined;
  /** Undefined when no limits are set. */
  limits: LimitsConfig | undefined;
  /** Undefined when tracing is off. */
  tracing: TracingConfig | undefined;
  serverTiming: boolean;
  /** Undefined when every request is allowed. */
  authorize: AuthorizeHook | undefined;
  authorizeTimeoutMs: number;
  /** `Infinity` when unbounded. */
  maxConcurrent: number;
  /** `Infinity` when unbounded. */
  maxConcurrentPerActor: number;
  /** Undefined when dumps are off. */
  dump: DumpConfig | undefined;
  /** Undefined when the circuit breaker is off. */
  circuitBreaker: CircuitBreakerConfig | undefined;
  /** Undefined when requests are sent as they came. */
  guard: GuardHook | undefined;
  /** Undefined when answers are relayed as they came. */
  responseGuard: ResponseGuardHook | undefined;
  guardTimeoutMs: number;
  /** Undefined when everything is recorded and no mode is. */
  recordContent: RecordContentOption | undefined;
  /** Undefined: a random one is drawn at creation. */
  recordContentSalt: string | undefined;
}

function hasMethods(v: unknown, names: readonly string[]): boolean {
  return !!v && typeof v === 'object' && names.every((n) => typeof (v as Record<string, unknown>)[n] === 'function');
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function headerNames(owner: string, name: string, v: unknown): readonly string[] {
  if (v === undefined) return BRIDGE_DEFAULTS.dropHeaders;
  if (!Array.isArray(v) || v.some((h) => typeof h !== 'string' || !HEADER_NAME.test(h))) {
    throw new OptionsError(owner, name, 'must be an array of HTTP header names (e.g. ["x-user-token"]).');
  }
  return v.map((h: string) => h.toLowerCase());
}

/** The per-text record cap; it must leave room for the truncation marker and some text before it. */
function recordedTextBytes(owner: string, v: unknown): number {
  const n = optionalPositiveInt(owner, 'maxRecordedTextBytes', v, BRIDGE_DEFAULTS.maxRecordedTextBytes);
  if (n < 1024) throw new OptionsError(owner, 'maxRecordedTextBytes', 'must be at least 1024 (bytes).');
  return n;
}

/** A delay a timer can hold (setTimeout fires at once past 2^31 - 1 ms). */
function timerMs(owner: string, name: string, v: unknown, fallback: number): number {
  const ms = optionalPositiveInt(owner, name, v, fallback);
  if (ms > 2_147_483_647) throw new OptionsError(owner, name, 'must be at most 2147483647 (ms).');
  return ms;
}

/** A provider's `kind` is recorded with every interception: a short name, like provider names. */
const KIND = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const MAX_KIND_LENGTH = 64;

/** Validates `options` once, at creation, throwing an error that names the bad option. */
export function normalizeBridgeOptions(options: BridgeOptions): BridgeConfig {
  const owner = 'createBridge';
  if (!isPlainObject(options)) throw new OptionsError(owner, 'options', 'must be an object.');
  rejectUnknownKeys(owner, options as unknown as Record<string, unknown>, KNOWN);
  const { providers, actor, recorder, logger, keyState } = options;
  if (!Array.isArray(providers) || providers.length === 0) throw new OptionsError(owner, 'providers', 'must be a non-empty array of providers (openaiProvider(), anthropicProvider()).');
  const names = new Set<string>();
  for (const p of providers) {
    if (!p || typeof p !== 'object' || typeof p.name !== 'string' || !Array.isArray(p.apis)) {
      throw new OptionsError(owner, 'providers', 'must only contain providers made by openaiProvider() / anthropicProvider().');
    }
    if (typeof p.kind !== 'string' || p.kind.length > MAX_KIND_LENGTH || !KIND.test(p.kind)) {
      throw new OptionsError(owner, 'providers', `has a provider "${p.name}" whose \`kind\` is not a name (^[a-z0-9]+(-[a-z0-9]+)*$, at most ${MAX_KIND_LENGTH} characters).`);
    }
    if (names.has(p.name)) throw new OptionsError(owner, 'providers', `has two providers named "${p.name}"; give one a different \`name\`.`);
    names.add(p.name);
  }
  if (typeof actor !== 'function') throw new OptionsError(owner, 'actor', 'must be a function (req) => { id, metadata? }.');
  if (recorder !== undefined && !hasMethods(recorder, RECORDER_METHODS)) throw new OptionsError(owner, 'recorder', `must implement ${RECORDER_METHODS.join(', ')}.`);
  if (logger !== undefined && !hasMethods(logger, ['error', 'warn', 'info', 'debug'])) throw new OptionsError(owner, 'logger', 'must be a winston Logger.');
  if (options.tools !== undefined && !hasMethods(options.tools, ['listTools', 'callTool'])) throw new OptionsError(owner, 'tools', 'must implement listTools and callTool (e.g. mcpToolInjector()).');
  if (keyState !== undefined && !hasMethods(keyState, ['getCooldowns', 'markCooldown'])) throw new OptionsError(owner, 'keyState', 'must implement getCooldowns and markCooldown.');
  if (options.authorize !== undefined && typeof options.authorize !== 'function') throw new OptionsError(owner, 'authorize', 'must be a function (ctx) => true | false | { allow, reason? } (or a promise of one).');
  if (options.guard !== undefined && typeof options.guard !== 'function') throw new OptionsError(owner, 'guard', 'must be a function (ctx) => true | undefined | { block: reason } | { edit: body } (or a promise of one).');
  if (options.responseGuard !== undefined && typeof options.responseGuard !== 'function') throw new OptionsError(owner, 'responseGuard', 'must be a function (ctx) => true | undefined | { block: reason } | { edit: body } (or a promise of one).');
  const { recordContent, recordContentSalt } = options;
  if (recordContent !== undefined && typeof recordContent !== 'function' && !CONTENT_MODES.includes(recordContent)) {
    throw new OptionsError(owner, 'recordContent', `must be one of ${CONTENT_MODES.map((m) => `'${m}'`).join(', ')}, or a function (ctx) => one of them.`);
  }
  if (recordContentSalt !== undefined && (typeof recordContentSalt !== 'string' || recordContentSalt.length < 16)) {
    throw new OptionsError(owner, 'recordContentSalt', 'must be a string of at least 16 characters (e.g. 32 random hex digits).');
  }
  return {
    providers,
    routes: normalizeModelRoutes(owner, options.routes, providers),
    actor,
    recorder,
    logger: logger ?? createDefaultLogger(),
    keyState: keyState ?? new MemoryKeyStateStore(),
    maxBodyBytes: optionalPositiveInt(owner, 'maxBodyBytes', options.maxBodyBytes, BRIDGE_DEFAULTS.maxBodyBytes),
    maxResponseBytes: optionalPositiveInt(owner, 'maxResponseBytes', options.maxResponseBytes, BRIDGE_DEFAULTS.maxResponseBytes),
    dropHeaders: headerNames(owner, 'dropHeaders', options.dropHeaders),
    recorderTimeoutMs: optionalPositiveInt(owner, 'recorderTimeoutMs', options.recorderTimeoutMs, BRIDGE_DEFAULTS.recorderTimeoutMs),
    recorderQueueMax: optionalPositiveInt(owner, 'recorderQueueMax', options.recorderQueueMax, BRIDGE_DEFAULTS.recorderQueueMax),
    recorderQueueMaxBytes: optionalPositiveInt(owner, 'recorderQueueMaxBytes', options.recorderQueueMaxBytes, BRIDGE_DEFAULTS.recorderQueueMaxBytes),
    maxRecordedTextBytes: recordedTextBytes(owner, options.maxRecordedTextBytes),
    tools: options.tools,
    streamKeepAliveMs: optionalPositiveInt(owner, 'streamKeepAliveMs', options.streamKeepAliveMs, BRIDGE_DEFAULTS.streamKeepAliveMs),
    maxInjectedTools: optionalPositiveInt(owner, 'maxInjectedTools', options.maxInjectedTools, BRIDGE_DEFAULTS.maxInjectedTools),
    maxToolResultBytes: optionalPositiveInt(owner, 'maxToolResultBytes', options.maxToolResultBytes, BRIDGE_DEFAULTS.maxToolResultBytes),
    maxAccumulatedBytes: optionalPositiveInt(owner, 'maxAccumulatedBytes', options.maxAccumulatedBytes, BRIDGE_DEFAULTS.maxAccumulatedBytes),
    ownership: normalizeOwnership(options.ownership, keyState),
    clients: clientDetectorFor(owner, options.clients),
    metrics: options.metrics === undefined ? undefined : normalizeMetricsOptions(owner, options.metrics),
    limits: normalizeLimits(owner, options.limits, options.limitStore),
    tracing: normalizeTracingOptions(owner, options.tracing),
    serverTiming: optionalBoolean(owner, 'serverTiming', options.serverTiming, BRIDGE_DEFAULTS.serverTiming),
    authorize: options.authorize,
    authorizeTimeoutMs: timerMs(owner, 'authorizeTimeoutMs', options.authorizeTimeoutMs, BRIDGE_DEFAULTS.authorizeTimeoutMs),
    maxConcurrent: optionalPositiveInt(owner, 'maxConcurrent', options.maxConcurrent, Infinity),
    maxConcurrentPerActor: optionalPositiveInt(owner, 'maxConcurrentPerActor', options.maxConcurrentPerActor, Infinity),
    dump: options.dump === undefined ? undefined : normalizeDumpOptions(owner, options.dump),
    circuitBreaker: normalizeCircuitBreaker(owner, options.circuitBreaker),
    guard: options.guard,
    responseGuard: options.responseGuard,
    guardTimeoutMs: timerMs(owner, 'guardTimeoutMs', options.guardTimeoutMs, BRIDGE_DEFAULTS.guardTimeoutMs),
    recordContent,
    recordContentSalt,
  };
}
