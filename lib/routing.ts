/** How requests reach the pipeline: the bridge's own dispatch by path, and the handlers hosts mount themselves. */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { GatewayError } from './errors';
import type { BridgedProvider } from './providers/types';
import { createInterceptionHandler } from './pipeline/interception-handler';
import { sendGatewayError } from './http/respond';
import { answerUnexpected, fallbackFor, type Fallback } from './last-resort';
import { OptionsError } from './options-check';
import { createPassthroughHandler } from './passthrough/passthrough-handler';
import { isUnsafePath } from './http/path-guard';
import { unknownRouteMessage, versionOf } from './http/route-hint';
import type { ProviderAdapter } from './providers/types';
import { routeErrorShape, type ErrorShape } from './apis/error-shape';
import type { BridgeRuntime, ProviderRuntime } from './pipeline/runtime';

interface BridgedRoute {
  handle: (req: Request, res: Response) => Promise<void>;
  fallback: Fallback;
  /** The API's error shape: the gateway's own refusals on this route are worded as the API words them. */
  errors: ErrorShape;
}

interface ProviderRoutes {
  adapter: ProviderAdapter;
  /** By route path (`/v1/messages`). */
  bridged: Map<string, BridgedRoute>;
  /** By API name (`messages`), for `handler()`. */
  byApi: Map<string, BridgedRoute>;
  passthrough: ReturnType<typeof createPassthroughHandler>;
  fallback: Fallback;
  /** First segment of the provider's routes (`/v1`), for the hint of an unknown route. */
  version: string;
}

const UNSAFE_PATH = new GatewayError({ status: 404, errorType: 'bad_request', code: 'invalid_path', message: 'Not found: the path has dot segments, encoded separators or path parameters.' });
const SHUTTING_DOWN = new GatewayError({ status: 503, errorType: 'overloaded', code: 'shutting_down', message: 'The gateway is shutting down.' });

/** The path of a request URL, without its query string. */
function pathOf(url: string): string {
  const queryAt = url.indexOf('?');
  return queryAt < 0 ? url : url.slice(0, queryAt);
}

/** Builds every provider's handlers once; the returned functions only look them up. */
export function createRouting(providers: readonly ProviderRuntime[], bridged: readonly BridgedProvider[], runtime: BridgeRuntime) {
  const routes = new Map<string, ProviderRoutes>();
  providers.forEach((provider, i) => {
    const apis = bridged[i].apis.map((api) => ({
      api,
      route: { handle: createInterceptionHandler(provider, api, runtime), fallback: fallbackFor(provider.adapter, api), errors: routeErrorShape(provider.adapter, api) },
    }));
    routes.set(provider.adapter.name, {
      adapter: provider.adapter,
      bridged: new Map(apis.map(({ api, route }) => [api.route, route])),
      byApi: new Map(apis.map(({ api, route }) => [api.name, route])),
      passthrough: createPassthroughHandler(provider, runtime),
      fallback: fallbackFor(provider.adapter),
      version: versionOf(bridged[i].apis[0]?.route ?? ''),
    });
  });
  const { logger, inflight } = runtime;

  function runBridged(route: BridgedRoute, req: Request, res: Response): void {
    route.handle(req, res).catch((err) => answerUnexpected(err, res, route.fallback, logger));
  }

  function isRoute(provider: ProviderRoutes, method: string, routePath: string): boolean {
    return (method === 'POST' && provider.bridged.has(routePath)) || provider.adapter.passthrough.some((rule) => rule.methods.has(method) && rule.matches(routePath));
  }

  /** Passthrough of `routePath` when the allowlist has it; false when it does not. */
  function runPassthrough(provider: ProviderRoutes, routePath: string, req: Request, res: Response): boolean {
    const rule = provider.adapter.passthrough.find((r) => r.methods.has(req.method) && r.matches(routePath));
    if (!rule) return false;
    provider.passthrough.handle(req, res, { routePath, rule }).catch((err) => answerUnexpected(err, res, provider.fallback, logger));
    return true;
  }

  /**
   * A request for one provider, `routePath` relative to its prefix. Refusals and whatever throws are answered in the
   * shape of the bridged API the request is for, else in the provider's.
   */
  function dispatchTo(provider: ProviderRoutes, path: string, routePath: string, req: Request, res: Response, bridgedOnly?: BridgedRoute): void {
    try {
      const route = bridgedOnly ?? (req.method === 'POST' ? provider.bridged.get(routePath) : undefined);
      const shape = route?.errors ?? provider.adapter;
      if (isUnsafePath(path)) return sendGatewayError(res, shape, UNSAFE_PATH);
      if (inflight.closing) return sendGatewayError(res, shape, SHUTTING_DOWN);
      if (bridgedOnly) {
        if (req.method === 'POST') return runBridged(bridgedOnly, req, res);
        return sendGatewayError(res, shape, new GatewayError({ status: 405, errorType: 'bad_request', code: 'method_not_allowed', message: `Method ${req.method} is not allowed here; use POST.` }));
      }
      if (route) return runBridged(route, req, res);
      if (runPassthrough(provider, routePath, req, res)) return;
      const message = unknownRouteMessage(req.method, routePath, pathOf(req.originalUrl ?? req.url), provider.version, (m, p) => isRoute(provider, m, p));
      sendGatewayError(res, shape, new GatewayError({ status: 404, errorType: 'bad_request', code: 'unknown_route', message }));
    } catch (err) {
      answerUnexpected(err, res, bridgedOnly?.fallback ?? provider.fallback, logger);
    }
  }

  /** The bridge's own mount: `/{provider}/…`; paths of no provider fall through to the host. */
  function aibridgeDispatch(req: Request, res: Response, next: NextFunction): void {
    const path = pathOf(req.url);
    const slash = path.indexOf('/', 1);
    const provider = routes.get(slash < 0 ? path.slice(1) : path.slice(1, slash));
    if (!provider) return next();
    dispatchTo(provider, path, slash < 0 ? '' : path.slice(slash), req, res);
  }

  function providerNamed(name: unknown, owner: string): ProviderRoutes {
    const provider = typeof name === 'string' ? routes.get(name) : undefined;
    if (!provider) throw new OptionsError(owner, 'providerName', `must name a provider of this bridge (${[...routes.keys()].join(', ')}).`);
    return provider;
  }

  /** The handler of one bridged API, for a path the host chose (`app.post('/v1/messages', auth, handler)`). */
  function handler(providerName: string, apiName: string): RequestHandler {
    const provider = providerNamed(providerName, 'bridge.handler');
    const route = provider.byApi.get(apiName);
    if (!route) throw new OptionsError('bridge.handler', 'api', `must name an API of provider "${providerName}" (${[...provider.byApi.keys()].join(', ')}).`);
    return function aibridgeHandler(req: Request, res: Response): void {
      const path = pathOf(req.url);
      dispatchTo(provider, path, path, req, res, route);
    };
  }

  /** The provider's passthrough routes, for a mount the host chose: request paths are taken relative to it. */
  function passthrough(providerName: string): RequestHandler {
    const provider = providerNamed(providerName, 'bridge.passthrough');
    return function aibridgePassthrough(req: Request, res: Response): void {
      const path = pathOf(req.url);
      try {
        if (isUnsafePath(path)) return sendGatewayError(res, provider.adapter, UNSAFE_PATH);
        if (inflight.closing) return sendGatewayError(res, provider.adapter, SHUTTING_DOWN);
        if (runPassthrough(provider, path, req, res)) return;
        sendGatewayError(res, provider.adapter, new GatewayError({ status: 404, errorType: 'bad_request', code: 'unknown_route', message: `Unknown route: ${req.method} ${path || '/'}` }));
      } catch (err) {
        answerUnexpected(err, res, provider.fallback, logger);
      }
    };
  }

  return {
    dispatch: aibridgeDispatch,
    handler,
    passthrough,
    close: () => { for (const r of routes.values()) r.passthrough.close(); },
  };
}
