/** What every interception of one bridged route shares, worked out once when its handler is created. */
import { GatewayError, type StreamError } from '../errors';
import type { ApiAdapter } from '../apis/api';
import { FAILURE_LOG_INTERVAL_MS, LogThrottle } from '../observability/log-throttle';
import type { BridgeRuntime, ProviderRuntime } from './runtime';
import { createHeaderRule, type HeaderRule } from '../http/headers-to-upstream';

/** One provider's API as the bridge serves it: the runtimes, and what no request needs to work out again. */
export class InterceptionRoute {
  /** The upstream path of this API, without the request's query. */
  readonly upstreamPath: string;
  /** Holds back repeated identical transport-failure lines of this route. */
  readonly throttle = new LogThrottle(FAILURE_LOG_INTERVAL_MS);
  /** The provider's own headers, sent unless the client sent the same header. */
  readonly defaultHeaders: ReadonlyArray<[string, string]>;
  /** Which client headers reach the upstream. */
  readonly headerRule: HeaderRule;

  constructor(readonly provider: ProviderRuntime, readonly api: ApiAdapter, readonly bridge: BridgeRuntime) {
    const { adapter, client } = provider;
    this.upstreamPath = client.basePath + api.route.slice(adapter.routePrefixInBaseURL.length);
    this.defaultHeaders = Object.entries(adapter.defaultHeaders ?? {});
    this.headerRule = createHeaderRule(bridge.dropHeaders);
  }

  /** A gateway error in the provider's words, for error events once a stream began. */
  describe(error: GatewayError): StreamError {
    return { message: error.message, type: this.provider.adapter.errorType(error), code: error.code };
  }
}
