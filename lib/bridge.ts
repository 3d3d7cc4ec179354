/** createBridge: options → an Express Router that dispatches to providers; lifecycle (close) and key status. */
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { KeyPool, type KeyStatus } from './keypool/key-pool';
import { KeyRouting } from './keypool/key-routing';
import type { KeyStateSource } from './keypool/types';
import type { BridgeOptions } from './options';
import { normalizeBridgeOptions } from './bridge-config';
import { createRouting } from './routing';
import { baseURLWarning } from './providers/provider-options';
import { SafeRecorder } from './recorder/safe-recorder';
import { Redactor } from './redaction/redactor';
import { redactingLogger } from './redaction/redacting-logger';
import { InflightRequests, SHUTDOWN_ABORT, type BridgeRuntime, type ProviderRuntime } from './pipeline/runtime';
import { settlesWithin } from './http/deadline';
import { OptionsError, isPlainObject } from './options-check';
import { errorMessage } from './observability/logger';
import { UpstreamClient } from './http/upstream-client';
import { emptyCounters, type ProviderCounters } from './observability/counters';
import type { ToolInjector } from './tools/types';
import { OfferedTools } from './pipeline/loop/offered-tools';
import type { Logger } from 'winston';
import { OwnershipGuard } from './ownership/ownership-guard';
import { BridgeMetrics } from './observability/metrics/bridge-metrics';
import { Limits, type LimitStats, type LimitUsage } from './governance/limits/limits';
import type { Actor } from './http/actor-types';
import { CircuitBreakers, type CircuitBreakerStatus } from './governance/circuit-breakers';
import { BridgeTracer } from './observability/tracing/bridge-tracer';
import { Capacity } from './pipeline/capacity';
import { Dumps } from './observability/dumps/dumps';
import { RecordContent } from './pipeline/record-content';
import { randomBytes } from 'node:crypto';
import type { RouteCounters } from './pipeline/model-routes/model-route-handler';

/** Key states of one provider's pool (masked hints only). */
export interface ProviderKeyStatus {
  provider: string;
  /** Which key-state store answered: `memory`, `redis`, `redis-fallback-memory` (Redis unreachable) or `custom`. */
  store: KeyStateSource;
  keys: KeyStatus[];
}

/** Options of {@link Bridge.close}. */
export interface CloseOptions {
  /**
   * How long requests in flight may take to finish on their own, in ms; those still running are then aborted.
   * A finite number from 0 to 2,147,483,647. Defaults to 10,000 (10 s).
   */
  graceMs?: number;
}

/** What {@link Bridge.stats} returns: counters since the bridge was created. */
export interface BridgeStats {
  /** Per provider name: interceptions, outcomes, upstream attempts, failovers, exhaustions, the bridge's own refusals. */
  providers: Record<string, ProviderCounters>;
  /** Recorder calls that threw or rejected before their deadline (and a `recorder.close()` that failed). */
  recorderFailures: number;
  /** Recorder calls that had not settled after `recorderTimeoutMs`. */
  recorderTimeouts: number;
  /** Recorder calls never made: queue at `recorderQueueMax` or `recorderQueueMaxBytes`, their interception's start dropped, or after close. */
  recorderDropped: number;
  /** Recorder calls queued, running, or timed out and not settled yet (what `recorderQueueMax` bounds), right now. */
  recorderPending: number;
  /** Approximate bytes of the records of those pending calls (what `recorderQueueMaxBytes` bounds), right now. */
  recorderPendingBytes: number;
  /** What the rate limits and budgets refused and how their store fared; absent when no `limits` are set. */
  limits?: LimitStats;
  /** Each circuit of the circuit breaker (provider, API, model, state, failures in the window, open until); only when `circuitBreaker` is on. */
  breakers?: CircuitBreakerStatus[];
  /**
   * Per model route name: requests a rule matched (`routed`), times a provider could not serve one and the next was
   * tried (`fallbacks`), requests no rule matched (`unmatched`). What each provider did is under `providers`. Only
   * when `routes` are set.
   */
  routes?: Record<string, RouteCounters>;
}

/** The mounted gateway: an Express Router plus lifecycle and status. */
export interface Bridge extends Router {
  /**
   * Stops admitting requests (`503`), gives those in flight `graceMs` to finish, aborts the rest, flushes the
   * recorder (bounded by `recorderTimeoutMs`), calls `recorder.close()` (same bound) and closes upstream
   * connections. Always resolves; rejects only when `graceMs` is invalid. Later calls return the same promise.
   */
  close(options?: CloseOptions): Promise<void>;
  /** Each provider's key pool state, for dashboards and health checks; never contains key material. */
  keyPoolStatus(): Promise<ProviderKeyStatus[]>;
  /** Counters since creation: per provider, and of the recorder. */
  stats(): BridgeStats;
  /**
   * The handler the bridge uses for one API of one provider (`handler('anthropic', 'messages')`), to mount on a
   * path of your own: `app.post('/v1/messages', auth, bridge.handler('anthropic', 'messages'))`. Same key pool,
   * recorder, tools and lifecycle as the bridge's own routes; POST only; the query string is forwarded. APIs:
   * `chat-completions` and `responses` (OpenAI), `messages` (Anthropic). A model route's name (`routes`) works too:
   * `handler('auto', 'messages')`. Throws for an unknown provider, route or API.
   */
  handler(providerName: string, api: string): RequestHandler;
  /** The provider's allowlisted passthrough routes, with request paths taken relative to where you mount it. */
  passthrough(providerName: string): RequestHandler;
  /**
   * Each rate limit and budget that applies to `actor` (an actor, or an actor id: limits per group then need the
   * actor's metadata): what it allows, what is used, what remains and when it resets. Empty without `limits`.
   */
  usageOf(actor: Actor | string): Promise<LimitUsage[]>;
}

/** Default of {@link CloseOptions.graceMs}. */
export const DEFAULT_CLOSE_GRACE_MS = 10_000;
/** After aborting, how long close() lets aborted requests wind down (and record their end) before it goes on. */
const ABORT_WIND_DOWN_MS = 1_000;
/** How long an upstream connection pool may take to close before it is destroyed. */
const CONNECTIONS_CLOSE_MS = 1_000;
const MAX_TIMER_MS = 2_147_483_647;
/** How long the tool injector may take to close. */
const TOOLS_CLOSE_MS = 5_000;

/** Closes the tool injector (MCP sessions, child processes), bounded: a hung server must not hold close() up. */
async function closeTools(tools: ToolInjector | undefined, logger: Logger): Promise<void> {
  if (!tools?.close) return;
  try {
    if (!(await settlesWithin(tools.close(), TOOLS_CLOSE_MS))) logger.warn('the tool injector did not close in time; going on');
  } catch (err) {
    logger.warn('closing the tool injector failed', { error: errorMessage(err) });
  }
}

function closeGraceMs(options: CloseOptions | undefined): number {
  if (options === undefined) return DEFAULT_CLOSE_GRACE_MS;
  if (!isPlainObject(options)) throw new OptionsError('bridge.close', 'options', 'must be an object ({ graceMs }).');
  const graceMs = options.graceMs;
  if (graceMs === undefined) return DEFAULT_CLOSE_GRACE_MS;
  if (typeof graceMs !== 'number' || !Number.isFinite(graceMs) || graceMs < 0 || graceMs > MAX_TIMER_MS) {
    throw new OptionsError('bridge.close', 'graceMs', `must be a number of ms from 0 to ${MAX_TIMER_MS}.`);
  }
  return graceMs;
}

/**
 * Sends requests straight to `dispatch` while it is the router's only layer (the host added nothing to the bridge's
 * router): the router's own walk (its layer matching, URL parsing, params and the restore of `req` fields around
 * the one layer) cost about as much per request as the dispatch itself. A host that adds a layer gets the router's
 * walk back, in order.
 */
function skipRouterWalk(router: Router, dispatch: RequestHandler): void {
  // `handle` is what the router function calls (router 1.x and 2.x alike); Express's types leave it out.
  const walked = router as Router & { handle: (req: Request, res: Response, next: NextFunction) => void };
  const [only] = router.stack;
  const walk = walked.handle;
  walked.handle = function aibridgeRouter(req: Request, res: Response, next: NextFunction): void {
    if (router.stack.length === 1 && router.stack[0] === only) return void dispatch(req, res, next);
    walk.call(router, req, res, next);
  };
}

/** Builds the gateway. Everything is validated and prepared here, once; requests only dispatch. */
export function createBridge(options: BridgeOptions): Bridge {
  const config = normalizeBridgeOptions(options);
  // One rule for every output, knowing every provider's credentials: a tool or an upstream may quote any of them.
  // Credentials a source obtains later (refreshed tokens) are learned by the pool before their first use.
  const redactor = new Redactor(config.providers.flatMap((p) => p.credentials.entries));
  config.logger = redactingLogger(config.logger, redactor); // every line, from every part (tools and key pool too)
  // Aborted when close() begins, so that the tool injector stops reconnecting while requests drain.
  const closingTools = new AbortController();
  const tracing = config.tracing && new BridgeTracer(config.tracing, config.logger);
  const toolSecrets = {
    learn: (id: string, secrets: readonly string[]) => redactor.learn({ id: `tools:${id}`, hint: '[redacted tool credential]', secrets }),
    forget: (id: string) => redactor.forget(`tools:${id}`),
  };
  config.tools?.attach?.({ logger: config.logger, closing: closingTools.signal, secrets: toolSecrets, ...(tracing ? { traceHeaders: tracing.traceHeaders } : {}) });
  const metrics = config.metrics && new BridgeMetrics(config.metrics);
  const limits = config.limits && new Limits(config.limits, config.logger);
  const breakers = config.circuitBreaker && new CircuitBreakers(config.circuitBreaker, config.logger);
  if (breakers && metrics) breakers.events = metrics.circuitEvents;
  const runtime: BridgeRuntime = {
    logger: config.logger,
    recorder: new SafeRecorder(config.recorder, config.logger, {
      timeoutMs: config.recorderTimeoutMs, queueMax: config.recorderQueueMax,
      queueMaxBytes: config.recorderQueueMaxBytes, maxRecordedTextBytes: config.maxRecordedTextBytes,
    }, redactor),
    redactor,
    actor: config.actor,
    maxBodyBytes: config.maxBodyBytes,
    maxResponseBytes: config.maxResponseBytes,
    dropHeaders: config.dropHeaders,
    tools: config.tools,
    offeredTools: new OfferedTools(config.maxInjectedTools, config.logger),
    maxToolResultBytes: config.maxToolResultBytes,
    maxAccumulatedBytes: config.maxAccumulatedBytes,
    streamKeepAliveMs: config.streamKeepAliveMs,
    inflight: new InflightRequests(config.logger),
    ownership: new OwnershipGuard(config.ownership, config.logger),
    clients: config.clients,
    metrics,
    limits,
    breakers,
    tracing,
    serverTiming: config.serverTiming,
    authorize: config.authorize && { hook: config.authorize, timeoutMs: config.authorizeTimeoutMs },
    capacity: config.maxConcurrent < Infinity || config.maxConcurrentPerActor < Infinity ? new Capacity(config.maxConcurrent, config.maxConcurrentPerActor) : undefined,
    dumps: config.dump && new Dumps(config.dump, config.logger),
    guard: config.guard || config.responseGuard ? { hook: config.guard, response: config.responseGuard, timeoutMs: config.guardTimeoutMs } : undefined,
    recordContent: config.recordContent === undefined ? undefined
      : new RecordContent(config.recordContent, config.recordContentSalt ?? randomBytes(32).toString('hex'), config.logger),
  };
  if (metrics) runtime.recorder.onCallSettled = metrics.recorderCall;
  for (const provider of config.providers) {
    const warning = provider.apis.length > 0 ? baseURLWarning(provider, provider.apis[0].route) : undefined;
    if (warning) config.logger.warn(warning);
  }
  const providers: ProviderRuntime[] = config.providers.map((adapter) => {
    const pool = new KeyPool(adapter.credentials, config.keyState, adapter.cooldowns, config.logger, adapter.classifyFailure, (c) => redactor.learn(c));
    pool.events = metrics?.keyEvents(adapter.name);
    return { adapter, client: new UpstreamClient(adapter.baseURL, adapter.timeouts), keys: new KeyRouting(adapter, pool), counters: emptyCounters() };
  });
  const routing = createRouting(runtime, { providers, bridged: config.providers, modelRoutes: config.routes });

  const router = express.Router() as Bridge;
  router.use(routing.dispatch);
  skipRouterWalk(router, routing.dispatch);
  router.handler = routing.handler;
  router.passthrough = routing.passthrough;

  async function shutdown(graceMs: number): Promise<void> {
    const { inflight, logger } = runtime;
    inflight.closing = true;
    closingTools.abort();
    if (!(await settlesWithin(inflight.drained(), graceMs))) {
      logger.warn('aborting requests still in flight after the grace period', { requests: inflight.size, graceMs });
      inflight.abortAll(SHUTDOWN_ABORT);
      if (!(await settlesWithin(inflight.drained(), ABORT_WIND_DOWN_MS))) {
        logger.warn('aborted requests did not end; closing anyway', { requests: inflight.size });
      }
    }
    await runtime.recorder.close();
    await runtime.ownership.close();
    await limits?.close();
    await closeTools(runtime.tools, logger);
    await Promise.all(providers.map(async (p) => {
      try {
        await p.client.close(CONNECTIONS_CLOSE_MS);
      } catch (err) {
        logger.warn('closing upstream connections failed', { provider: p.adapter.name, error: errorMessage(err) });
      }
    }));
    await runtime.dumps?.close();
    routing.close();
  }

  let closing: Promise<void> | undefined;
  router.close = (options?: CloseOptions) => {
    let graceMs: number;
    try {
      graceMs = closeGraceMs(options);
    } catch (err) {
      return Promise.reject(err);
    }
    closing ??= shutdown(graceMs);
    return closing;
  };
  router.keyPoolStatus = async () =>
    Promise.all(providers.map(async (p) => {
      const keys = await p.keys.pool.status();
      return { provider: p.adapter.name, store: p.keys.pool.source(), keys };
    }));
  router.stats = () => ({
    providers: Object.fromEntries(providers.map((p) => [p.adapter.name, { ...p.counters }])),
    recorderFailures: runtime.recorder.failures,
    recorderTimeouts: runtime.recorder.timeouts,
    recorderDropped: runtime.recorder.dropped,
    recorderPending: runtime.recorder.pending,
    recorderPendingBytes: runtime.recorder.pendingBytes,
    ...(limits ? { limits: limits.stats() } : {}),
    ...(breakers ? { breakers: breakers.status() } : {}),
    ...(config.routes.length > 0 ? { routes: routing.routeCounters() } : {}),
  });
  router.usageOf = async (actor) => (limits ? limits.usageOf(actor) : []);
  metrics?.readFrom({ stats: router.stats, keyPoolStatus: router.keyPoolStatus, inflight: () => runtime.inflight.size, tools: config.tools });
  return router;
}
