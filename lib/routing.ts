/** How requests reach the pipeline: the bridge's own dispatch by path, and the handlers hosts mount themselves. */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { GatewayError } from './errors';
import type { BridgedProvider, PassthroughRule } from './providers/types';
import { createInterceptionHandler, type InterceptionHandler } from './pipeline/interception-handler';
import { sendGatewayError } from './http/respond';
import { answerUnexpected, fallbackFor, type Fallback } from './last-resort';
import { OptionsError } from './options-check';
import { createPassthroughHandler } from './passthrough/passthrough-handler';
import { isUnsafePath } from './http/path-guard';
import { unknownRouteMessage, versionOf } from './http/route-hint';
import type { ProviderAdapter } from './providers/types';
import { routeErrorShape, type ErrorShape } from './apis/error-shape';
import type { BridgeRuntime, ProviderRuntime } from './pipeline/runtime';
import type { ModelRouteConfig } from './pipeline/model-routes/route-options';
import { createModelRouteHandler, type RouteCounters } from './pipeline/model-routes/model-route-handler';

interface BridgedRoute {
  handle: (req: Request, res: Response) => Promise<unknown>;
  fallback: Fallback;
  /** The API's error shape: the gateway's own refusals on this route are worded as the API words them. */
  errors: ErrorShape;
}

/** What dispatch reads of a prefix: a provider's, or a model route's. */
interface Prefix {
  /** By route path (`/v1/messages`). */
  bridged: Map<string, BridgedRoute>;
  /** By API name (`messages`), for `handler()`. */
  byApi: Map<string, BridgedRoute>;
  /** How answers outside a bridged API are worded (passthrough, unknown routes). */
  errors: ErrorShape;
  /** The allowlisted passthrough routes; none under a model route. */
  passthroughRules: readonly PassthroughRule[];
  fallback: Fallback;
  /** First segment of the prefix's routes (`/v1`), for the hint of an unknown route. */
  version: string;
}

interface ProviderRoutes extends Prefix {
  adapter: ProviderAdapter;
  passthrough: ReturnType<typeof createPassthroughHandler>;
  /** Each bridged API's own handler, by route path, for the model routes that name this provider. */
  handlers: Map<string, InterceptionHandler>;
}

/** A model route (`routes`): bridged APIs only, each choosing its provider by the request's model. */
interface ModelRoutes extends Prefix {
  counters: RouteCounters;
}

/** Where {@link createRouting}'s dispatch sends one request. */
interface DispatchTarget {
  prefix: Prefix;
  /** The provider whose passthrough the prefix serves; undefined under a model route. */
  provider?: ProviderRoutes;
  /** The request's path, checked for dot segments and encoded separators. */
  path: string;
  /** The path relative to the prefix. */
  routePath: string;
  /** The one bridged API a handler the host mounted serves (`handler()`); undefined for the bridge's own mount. */
  bridgedOnly?: BridgedRoute;
}

const UNSAFE_PATH = new GatewayError({ status: 404, errorType: 'bad_request', code: 'invalid_path', message: 'Not found: the path has dot segments, encoded separators or path parameters.' });
const SHUTTING_DOWN = new GatewayError({ status: 503, errorType: 'overloaded', code: 'shutting_down', message: 'The gateway is shutting down.' });

/** The path of a request URL, without its query string. */
function pathOf(url: string): string {
  const queryAt = url.indexOf('?');
  return queryAt < 0 ? url : url.slice(0, queryAt);
}

/** What a model route is built over: the providers' routes and bridged APIs, by provider name, and the runtime. */
interface BuiltProviders {
  readonly providers: ReadonlyMap<string, ProviderRoutes>;
  readonly bridged: ReadonlyMap<string, BridgedProvider>;
  readonly runtime: BridgeRuntime;
}

/** Builds a model route's handlers of each API it serves, over its providers' own handlers. */
function modelRoutesOf(config: ModelRouteConfig, { providers, bridged, runtime }: BuiltProviders): ModelRoutes {
  const counters: RouteCounters = { routed: 0, fallbacks: 0, unmatched: 0 };
  const routes: ModelRoutes = { bridged: new Map(), byApi: new Map(), errors: undefined!, passthroughRules: [], fallback: undefined!, version: '', counters };
  for (const [path, rules] of config.byApi) {
    // The API's own adapter as the rule's first provider bridges it (they share the wire format).
    const first = providers.get(rules[0].providers[0])!;
    const api = bridged.get(first.adapter.name)!.apis.find((a) => a.route === path)!;
    const errors = routeErrorShape(first.adapter, api);
    const handle = createModelRouteHandler({
      name: config.name, errors, counters, bridge: runtime,
      rules: rules.map((rule) => ({ matches: rule.matches, providers: rule.providers.map((name) => ({ name, handle: providers.get(name)!.handlers.get(path)! })) })),
    });
    const route: BridgedRoute = { handle, fallback: fallbackFor(first.adapter, api), errors };
    routes.bridged.set(path, route);
    routes.byApi.set(api.name, route);
    // Outside its APIs the route speaks as its first rule's first provider does.
    if (routes.errors === undefined) {
      routes.errors = first.adapter;
      routes.fallback = first.fallback;
      routes.version = versionOf(path);
    }
  }
  return routes;
}

/** What routing is built from: each provider's runtime and its bridged APIs (in the same order), the model routes. */
export interface RoutingInit {
  readonly providers: readonly ProviderRuntime[];
  readonly bridged: readonly BridgedProvider[];
  /** Defaults to none. */
  readonly modelRoutes?: readonly ModelRouteConfig[];
}

/** Builds every provider's and model route's handlers once; the returned functions only look them up. */
export function createRouting(runtime: BridgeRuntime, { providers, bridged, modelRoutes: modelRouteConfigs = [] }: RoutingInit) {
  const routes = new Map<string, ProviderRoutes>();
  providers.forEach((provider, i) => {
    const apis = bridged[i].apis.map((api) => ({
      api,
      route: { handle: createInterceptionHandler(provider, api, runtime), fallback: fallbackFor(provider.adapter, api), errors: routeErrorShape(provider.adapter, api) },
    }));
    routes.set(provider.adapter.name, {
      adapter: provider.adapter,
      errors: provider.adapter,
      passthroughRules: provider.adapter.passthrough,
      bridged: new Map(apis.map(({ api, route }) => [api.route, route])),
      byApi: new Map(apis.map(({ api, route }) => [api.name, route])),
      passthrough: createPassthroughHandler(provider, runtime),
      fallback: fallbackFor(provider.adapter),
      version: versionOf(bridged[i].apis[0]?.route ?? ''),
      handlers: new Map(apis.map(({ api, route }) => [api.route, route.handle])),
    });
  });
  const built: BuiltProviders = { providers: routes, bridged: new Map(bridged.map((p) => [p.name, p])), runtime };
  const modelRoutes = new Map(modelRouteConfigs.map((config) => [config.name, modelRoutesOf(config, built)]));
  const { logger, inflight } = runtime;

  function runBridged(route: BridgedRoute, req: Request, res: Response): void {
    route.handle(req, res).catch((err) => answerUnexpected(err, res, route.fallback, logger));
  }

  function isRoute(prefix: Prefix, method: string, routePath: string): boolean {
    return (method === 'POST' && prefix.bridged.has(routePath)) || prefix.passthroughRules.some((rule) => rule.methods.has(method) && rule.matches(routePath));
  }

  /** Passthrough of `routePath` when the provider's allowlist has it; false when it does not. */
  function runPassthrough(provider: ProviderRoutes, routePath: string, req: Request, res: Response): boolean {
    const rule = provider.adapter.passthrough.find((r) => r.methods.has(req.method) && r.matches(routePath));
    if (!rule) return false;
    provider.passthrough.handle(req, res, { routePath, rule }).catch((err) => answerUnexpected(err, res, provider.fallback, logger));
    return true;
  }

  /**
   * A request for one provider or model route, `routePath` relative to its prefix. Refusals and whatever throws are
   * answered in the shape of the bridged API the request is for, else in the prefix's.
   */
  function dispatchTo(req: Request, res: Response, target: DispatchTarget): void {
    const { prefix, provider, path, routePath, bridgedOnly } = target;
    try {
      const route = bridgedOnly ?? (req.method === 'POST' ? prefix.bridged.get(routePath) : undefined);
      const shape = route?.errors ?? prefix.errors;
      if (isUnsafePath(path)) return sendGatewayError(res, shape, UNSAFE_PATH);
      if (inflight.closing) return sendGatewayError(res, shape, SHUTTING_DOWN);
      if (bridgedOnly) {
        if (req.method === 'POST') return runBridged(bridgedOnly, req, res);
        return sendGatewayError(res, shape, new GatewayError({ status: 405, errorType: 'bad_request', code: 'method_not_allowed', message: `Method ${req.method} is not allowed here; use POST.` }));
      }
      if (route) return runBridged(route, req, res);
      if (provider && runPassthrough(provider, routePath, req, res)) return;
      const message = unknownRouteMessage(req.method, routePath, pathOf(req.originalUrl ?? req.url), prefix.version, (m, p) => isRoute(prefix, m, p));
      sendGatewayError(res, shape, new GatewayError({ status: 404, errorType: 'bad_request', code: 'unknown_route', message }));
    } catch (err) {
      answerUnexpected(err, res, bridgedOnly?.fallback ?? prefix.fallback, logger);
    }
  }

  /** The bridge's own mount: `/{provider}/…` and `/{route}/…`; paths of neither fall through to the host. */
  function aibridgeDispatch(req: Request, res: Response, next: NextFunction): void {
    const path = pathOf(req.url);
    const slash = path.indexOf('/', 1);
    const name = slash < 0 ? path.slice(1) : path.slice(1, slash);
    const routePath = slash < 0 ? '' : path.slice(slash);
    const provider = routes.get(name);
    if (provider) return dispatchTo(req, res, { prefix: provider, provider, path, routePath });
    const modelRoute = modelRoutes.size === 0 ? undefined : modelRoutes.get(name);
    if (!modelRoute) return next();
    dispatchTo(req, res, { prefix: modelRoute, path, routePath });
  }

  function providerNamed(name: unknown, owner: string): ProviderRoutes {
    const provider = typeof name === 'string' ? routes.get(name) : undefined;
    if (!provider) throw new OptionsError(owner, 'providerName', `must name a provider of this bridge (${[...routes.keys()].join(', ')}).`);
    return provider;
  }

  /** The handler of one bridged API of a provider or model route, for a path the host chose (`app.post('/v1/messages', auth, handler)`). */
  function handler(providerName: string, apiName: string): RequestHandler {
    const modelRoute = typeof providerName === 'string' ? modelRoutes.get(providerName) : undefined;
    const provider = modelRoute ? undefined : providerNamed(providerName, 'bridge.handler');
    const prefix: Prefix = modelRoute ?? provider!;
    const route = prefix.byApi.get(apiName);
    if (!route) throw new OptionsError('bridge.handler', 'api', `must name an API of ${modelRoute ? 'route' : 'provider'} "${providerName}" (${[...prefix.byApi.keys()].join(', ')}).`);
    return function aibridgeHandler(req: Request, res: Response): void {
      const path = pathOf(req.url);
      dispatchTo(req, res, { prefix, provider, path, routePath: path, bridgedOnly: route });
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
    /** Each model route's counters, by name. */
    routeCounters: () => Object.fromEntries([...modelRoutes].map(([name, r]) => [name, { ...r.counters }])),
    close: () => { for (const r of routes.values()) r.passthrough.close(); },
  };
}
