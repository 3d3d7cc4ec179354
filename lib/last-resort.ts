/** The answer of last resort when a request path throws where nothing expected it: never let it reach the process. */
import type { Response } from 'express';
import type { Logger } from 'winston';
import { GatewayError } from './errors';
import type { ApiAdapter } from './apis/api';
import { routeErrorShape } from './apis/error-shape';
import { INTERCEPTION_ID_HEADER } from './pipeline/admit';
import { isEventStream } from './streaming/event-stream';
import { errorMessage } from './observability/logger';
import type { ProviderAdapter } from './providers/types';

const INTERNAL = new GatewayError({ status: 500, errorType: 'server_error', code: 'internal_error', message: 'The gateway failed to handle this request.' });

/**
 * What to answer with, rendered once at creation: the failure may come from the adapter's own rendering code,
 * so the last resort must not call it again.
 */
export interface Fallback {
  readonly provider: string;
  /** The provider's JSON error body for a `500`. */
  readonly errorBody: string;
  /** The API's stream error event, for a failure after an event stream began. */
  readonly streamErrorEvent: string | undefined;
}

/** Renders the fallback answers of a provider's passthrough routes (its shape), or of one of its APIs (the API's shape). */
export function fallbackFor(adapter: ProviderAdapter, api?: ApiAdapter): Fallback {
  const shape = api ? routeErrorShape(adapter, api) : adapter;
  return {
    provider: adapter.name,
    errorBody: shape.errorBody(INTERNAL),
    streamErrorEvent: api?.streamErrorEvent({ message: INTERNAL.message, type: shape.errorType(INTERNAL), code: INTERNAL.code }),
  };
}

function log(logger: Logger, res: Response, fallback: Fallback, err: unknown): void {
  try {
    const interceptionId = res.getHeader(INTERCEPTION_ID_HEADER);
    logger.error('request failed unexpectedly', { provider: fallback.provider, interceptionId, error: errorMessage(err) });
  } catch {
    // A throwing host logger must not turn one failed request into a crashed process.
  }
}

/**
 * Answers a request whose handler threw: a `500` in the provider's shape before the first byte; the API's error
 * event once an event stream began; otherwise the connection is cut, so a half-sent body never looks complete.
 */
export function answerUnexpected(err: unknown, res: Response, fallback: Fallback, logger: Logger): void {
  log(logger, res, fallback, err);
  try {
    if (!res.headersSent) {
      // Headers set before the failure (a relayed length, Retry-After) describe an answer that will not come.
      for (const name of res.getHeaderNames()) if (name !== INTERCEPTION_ID_HEADER) res.removeHeader(name);
      res.statusCode = 500;
      res.setHeader('content-type', 'application/json');
      res.end(fallback.errorBody);
    } else if (!res.writableEnded) {
      if (fallback.streamErrorEvent !== undefined && isEventStream(res.getHeader('content-type'))) res.end(fallback.streamErrorEvent);
      else res.destroy();
    }
  } catch {
    res.destroy();
  }
}
