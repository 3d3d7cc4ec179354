/** How a wire family (OpenAI's, Anthropic's) words a gateway error: its JSON error body and its `error.type` vocabulary. */
import type { GatewayError } from '../errors';
import type { RateLimitHeaders } from '../governance/limits/limit-refusal';

/** A wire family's error shape; an API adapter points at its family's, a provider adapter at the one its passthrough routes speak. */
export interface ErrorShape {
  /** A gateway error as this family's JSON error body. */
  errorBody(error: GatewayError): string;
  /** This family's `error.type` for a gateway error (e.g. `rate_limit_error`), used in error events mid-stream. */
  errorType(error: GatewayError): string;
  /** The rate-limit headers this family's clients read on a `429` from a limit (e.g. `x-ratelimit-*`). Defaults to none. */
  readonly rateLimitHeaders?: RateLimitHeaders;
}

/**
 * The error shape a route of `api` speaks when `provider` carries it: the API's, unless the provider speaks the same
 * family (the built-in pairs), in which case the provider renders it, as it always did.
 */
export function routeErrorShape(provider: ErrorShape, api: { readonly errors: ErrorShape }): ErrorShape {
  return provider.errorBody === api.errors.errorBody ? provider : api.errors;
}
