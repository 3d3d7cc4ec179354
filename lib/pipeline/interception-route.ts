/** What every interception of one bridged route shares, worked out once when its handler is created. */
import { GatewayError, type StreamError } from '../errors';
import type { ApiAdapter } from '../apis/api';
import { FAILURE_LOG_INTERVAL_MS, LogThrottle } from '../observability/log-throttle';
import type { BridgeRuntime, ProviderRuntime } from './runtime';
import { createHeaderRule, type HeaderRule } from '../http/header-rule';
import type { UpstreamPathMapping } from '../providers/provider-hooks';
import { routeErrorShape, type ErrorShape } from '../apis/error-shape';

/** One provider's API as the bridge serves it: the runtimes, and what no request needs to work out again. */
export class InterceptionRoute {
  /** The upstream path of this API, without the request's query. */
  readonly upstreamPath: string;
  /** The path relative to the base URL's, what the provider's own mapping starts from. */
  readonly defaultPath: string;
  /** The provider's mapping of this route to an upstream path per request, when it has one. */
  readonly mapPath: UpstreamPathMapping | undefined;
  /** Holds back repeated identical transport-failure lines of this route. */
  readonly throttle = new LogThrottle(FAILURE_LOG_INTERVAL_MS);
  /** The provider's own headers, sent unless the client sent the same header. */
  readonly defaultHeaders: ReadonlyArray<[string, string]>;
  /** Which client headers reach the upstream. */
  readonly headerRule: HeaderRule;
  /** How gateway errors on this route are worded: the API's shape. */
  readonly errors: ErrorShape;

  constructor(readonly provider: ProviderRuntime, readonly api: ApiAdapter, readonly bridge: BridgeRuntime) {
    const { adapter, client } = provider;
    this.defaultPath = api.route.slice(adapter.routePrefixInBaseURL.length);
    this.upstreamPath = client.basePath + this.defaultPath;
    this.mapPath = adapter.upstreamPath;
    this.errors = routeErrorShape(adapter, api);
    this.defaultHeaders = Object.entries(adapter.defaultHeaders ?? {});
    this.headerRule = createHeaderRule(bridge.dropHeaders);
  }

  /** A gateway error in the API's words, for error events once a stream began. */
  describe(error: GatewayError): StreamError {
    return { message: error.message, type: this.errors.errorType(error), code: error.code };
  }
}
