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
import { InflightRequests, type BridgeRuntime, type ProviderRuntime } from './runtime';
import { UpstreamClient } from './upstream/upstream-client';
import { emptyCounters, type ProviderCounters } from './observability/counters';

/** Key states of one provider's pool (masked hints only). */
export interface ProviderKeyStatus {
  provider: string;
  /** Which key-state store answered: `memory`, `redis`, `redis-fallback-memory` (Redis unreachable) or `custom`. */
  store: KeyStateSource;
  keys: KeyStatus[];
}

/** The mounted gateway: an Express Router plus lifecycle and status. */
export interface Bridge extends Router {
  /** Stops admitting requests (`503`), waits for in-flight ones, flushes the recorder, releases connections. */
  close(): Promise<void>;
  /** Each provider's key pool state, for dashboards and health checks; never contains key material. */
  keyPoolStatus(): Promise<ProviderKeyStatus[]>;
  /** Counters per provider since creation (interceptions, outcomes, upstream attempts, failovers), plus recorder failures. */
  stats(): { providers: Record<string, ProviderCounters>; recorderFailures: number };
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

/** Builds the gateway. Everything is validated and prepared here, once; requests only dispatch. */
export function createBridge(options: BridgeOptions): Bridge {
  const config = normalizeBridgeOptions(options);
  config.tools?.attach?.({ logger: config.logger });
  const runtime: BridgeRuntime = {
    logger: config.logger,
    recorder: new SafeRecorder(config.recorder, config.logger),
    actor: config.actor,
    maxBodyBytes: config.maxBodyBytes,
    maxResponseBytes: config.maxResponseBytes,
    dropHeaders: config.dropHeaders,
    tools: config.tools,
    streamKeepAliveMs: config.streamKeepAliveMs,
    inflight: new InflightRequests(),
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
  for (const provider of providers) {
    routes.set(provider.adapter.name, {
      adapter: provider.adapter,
      bridged: new Map(provider.adapter.apis.map((api) => [api.route, {
        handle: createInterceptionHandler(provider, api, runtime),
        fallback: fallbackFor(provider.adapter, api),
      }])),
      passthrough: createPassthroughHandler(provider, runtime),
      fallback: fallbackFor(provider.adapter),
    });
  }

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

  let closing: Promise<void> | undefined;
  router.close = () => {
    closing ??= (async () => {
      runtime.inflight.closing = true;
      await runtime.inflight.drained();
      await runtime.recorder.close();
      await runtime.tools?.close?.();
      await Promise.all(providers.map((p) => p.client.close()));
      for (const r of routes.values()) r.passthrough.close();
    })();
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
  });
  return router;
}
