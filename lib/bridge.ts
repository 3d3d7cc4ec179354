/** createBridge: options → an Express Router that dispatches to providers; lifecycle (close) and key status. */
import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import { GatewayError } from './errors';
import { createInterceptionHandler } from './intercept/interception-handler';
import { KeyPool, type KeyStatus } from './keypool/key-pool';
import { KeyRedactor } from './keypool/key-redactor';
import { KeyRouting } from './keypool/key-routing';
import type { KeyStateSource } from './keypool/types';
import { normalizeBridgeOptions, type BridgeOptions } from './options';
import { createPassthroughHandler } from './passthrough/passthrough-handler';
import { answerUnexpected, fallbackFor, type Fallback } from './last-resort';
import { isUnsafePath } from './path-guard';
import { suggestedBaseURL } from './providers/provider-options';
import type { ProviderAdapter } from './providers/types';
import { sendGatewayError } from './intercept/respond';
import { SafeRecorder } from './recorder/safe-recorder';
import { InflightRequests, SHUTDOWN_ABORT, type BridgeRuntime, type ProviderRuntime } from './runtime';
import { settlesWithin } from './deadline';
import { OptionsError, isPlainObject } from './options-check';
import { errorMessage } from './observability/logger';
import { UpstreamClient } from './upstream/upstream-client';
import { emptyCounters, type ProviderCounters } from './observability/counters';
import type { ToolInjector } from './tools/types';
import type { Logger } from 'winston';

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
  /** Per provider name: interceptions, outcomes, upstream attempts, failovers, exhaustions. */
  providers: Record<string, ProviderCounters>;
  /** Recorder calls that threw or rejected before their deadline (and a `recorder.close()` that failed). */
  recorderFailures: number;
  /** Recorder calls that had not settled after `recorderTimeoutMs`. */
  recorderTimeouts: number;
  /** Recorder calls never made: queue at `recorderQueueMax`, their interception's start dropped, or after close. */
  recorderDropped: number;
  /** Recorder calls queued, running, or timed out and not settled yet (what `recorderQueueMax` bounds), right now. */
  recorderPending: number;
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
}

interface BridgedRoute {
  handle: (req: Request, res: Response) => Promise<void>;
  fallback: Fallback;
}

interface ProviderRoutes {
  adapter: ProviderAdapter;
  bridged: Map<string, BridgedRoute>;
  passthrough: ReturnType<typeof createPassthroughHandler>;
  fallback: Fallback;
}

const UNSAFE_PATH = new GatewayError(404, 'bad_request', 'invalid_path', 'Not found: the path has dot segments, encoded separators or path parameters.');
const SHUTTING_DOWN = new GatewayError(503, 'overloaded', 'shutting_down', 'The gateway is shutting down.');

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

/** Builds the gateway. Everything is validated and prepared here, once; requests only dispatch. */
export function createBridge(options: BridgeOptions): Bridge {
  const config = normalizeBridgeOptions(options);
  config.tools?.attach?.({ logger: config.logger });
  const runtime: BridgeRuntime = {
    logger: config.logger,
    recorder: new SafeRecorder(config.recorder, config.logger, { timeoutMs: config.recorderTimeoutMs, queueMax: config.recorderQueueMax }),
    actor: config.actor,
    maxBodyBytes: config.maxBodyBytes,
    maxResponseBytes: config.maxResponseBytes,
    dropHeaders: config.dropHeaders,
    tools: config.tools,
    streamKeepAliveMs: config.streamKeepAliveMs,
    inflight: new InflightRequests(config.logger),
  };
  for (const adapter of config.providers) {
    const suggestion = suggestedBaseURL(adapter);
    if (suggestion) {
      config.logger.warn(`aibridge: provider "${adapter.name}": baseURL ${new URL(adapter.baseURL).origin} has no path, so upstream paths will lack ${adapter.routePrefixInBaseURL}; did you mean ${suggestion}?`);
    }
  }
  const providers: ProviderRuntime[] = config.providers.map((adapter) => ({
    adapter,
    client: new UpstreamClient(adapter.baseURL, adapter.timeouts),
    keys: new KeyRouting(adapter, new KeyPool(adapter.keys, config.keyState, adapter.cooldowns, config.logger)),
    counters: emptyCounters(),
    redactor: new KeyRedactor(adapter.keys),
  }));
  const routes = new Map<string, ProviderRoutes>();
  providers.forEach((provider, i) => {
    routes.set(provider.adapter.name, {
      adapter: provider.adapter,
      bridged: new Map(config.providers[i].apis.map((api) => [api.route, {
        handle: createInterceptionHandler(provider, api, runtime),
        fallback: fallbackFor(provider.adapter, api),
      }])),
      passthrough: createPassthroughHandler(provider, runtime),
      fallback: fallbackFor(provider.adapter),
    });
  });

  function aibridgeDispatch(req: Request, res: Response, next: NextFunction): void {
    const url = req.url;
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    const slash = path.indexOf('/', 1);
    const provider = routes.get(slash < 0 ? path.slice(1) : path.slice(1, slash));
    if (!provider) return next();
    // From here on, whatever throws (synchronously or later) is answered in the provider's shape, never escapes.
    try {
      const { adapter } = provider;
      const routePath = slash < 0 ? '' : path.slice(slash);
      if (isUnsafePath(path)) return sendGatewayError(res, adapter, UNSAFE_PATH);
      if (runtime.inflight.closing) return sendGatewayError(res, adapter, SHUTTING_DOWN);
      const bridged = req.method === 'POST' ? provider.bridged.get(routePath) : undefined;
      if (bridged) {
        bridged.handle(req, res).catch((err) => answerUnexpected(err, res, bridged.fallback, runtime.logger));
        return;
      }
      if (adapter.passthrough.some((rule) => rule.methods.has(req.method) && rule.matches(routePath))) {
        provider.passthrough.handle(req, res, routePath).catch((err) => answerUnexpected(err, res, provider.fallback, runtime.logger));
        return;
      }
      sendGatewayError(res, adapter, new GatewayError(404, 'bad_request', 'unknown_route', `Unknown route: ${req.method} ${routePath || '/'}`));
    } catch (err) {
      answerUnexpected(err, res, provider.fallback, runtime.logger);
    }
  }

  const router = express.Router() as Bridge;
  router.use(aibridgeDispatch);

  async function shutdown(graceMs: number): Promise<void> {
    const { inflight, logger } = runtime;
    inflight.closing = true;
    if (!(await settlesWithin(inflight.drained(), graceMs))) {
      logger.warn('aborting requests still in flight after the grace period', { requests: inflight.size, graceMs });
      inflight.abortAll(SHUTDOWN_ABORT);
      if (!(await settlesWithin(inflight.drained(), ABORT_WIND_DOWN_MS))) {
        logger.warn('aborted requests did not end; closing anyway', { requests: inflight.size });
      }
    }
    await runtime.recorder.close();
    await closeTools(runtime.tools, logger);
    await Promise.all(providers.map(async (p) => {
      try {
        await p.client.close(CONNECTIONS_CLOSE_MS);
      } catch (err) {
        logger.warn('closing upstream connections failed', { provider: p.adapter.name, error: errorMessage(err) });
      }
    }));
    for (const r of routes.values()) r.passthrough.close();
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
  });
  return router;
}
