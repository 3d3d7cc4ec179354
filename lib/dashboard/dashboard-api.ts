/** The dashboard's read-only JSON endpoints: query-string validation, then one UsageQuery call each. */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'winston';
import { errorMessage } from '../observability/logger';
import type { UsageQuery } from '../recorder/usage-query';
import { InvalidCursorError } from '../recorder/query-engine';
import type { DashboardBridge, McpStatusSource } from './dashboard-options';
import { sendError, sendJson } from './dashboard-http';
import {
  DashboardInputError, parseActorId, parseBase, parseBucket, parseCursor, parseDimension, parseInterceptionId, parseLimit, parseNone,
  parseOptionalDimension, type RawQuery,
} from './dashboard-params';

/** Answered `404` with this message. */
class NotFoundError extends Error {}

/** Resolves the response body, or `undefined` for `404`. */
type Endpoint = (query: RawQuery, req: Request, now: number) => Promise<unknown>;

export interface ApiContext {
  query: UsageQuery;
  bridge: DashboardBridge | undefined;
  mcp: McpStatusSource | undefined;
  logger: Logger;
}

const MAX_GROUPS = 100;
const MAX_PAGE = 500;

/** The endpoints, by path under the router. Built once; each request only parses and calls the store. */
export function createApiEndpoints({ query, bridge, mcp }: ApiContext): Record<string, Endpoint> {
  return {
    '/api/totals': async (q, _req, now) => {
      const { range, filter } = parseBase(q, now);
      return query.totals({ range, filter });
    },
    '/api/timeseries': async (q, _req, now) => {
      const { range, filter } = parseBase(q, now, ['bucket', 'by']);
      const bucket = parseBucket(q, range);
      const by = parseOptionalDimension(q);
      return { bucket, by, points: await query.timeSeries({ range, filter, bucket, by }) };
    },
    '/api/group': async (q, _req, now) => {
      const { range, filter } = parseBase(q, now, ['by', 'limit']);
      const by = parseDimension(q);
      return { by, groups: await query.groupBy({ range, filter, by, limit: parseLimit(q, MAX_GROUPS) }) };
    },
    '/api/tools': async (q, _req, now) => {
      const { range, filter } = parseBase(q, now, ['limit']);
      return { tools: await query.topTools({ range, filter, limit: parseLimit(q, MAX_GROUPS) }) };
    },
    '/api/interceptions': async (q, _req, now) => {
      const { range, filter } = parseBase(q, now, ['limit', 'cursor']);
      return query.recentInterceptions({ range, filter, limit: parseLimit(q, MAX_PAGE), cursor: parseCursor(q) });
    },
    '/api/interceptions/:id': async (q, req) => {
      parseNone(q);
      return query.interception(parseInterceptionId(req.params.id));
    },
    '/api/overhead': async (q, _req, now) => {
      const { range, filter } = parseBase(q, now);
      // A host's own UsageQuery may not measure it: no samples, rather than an error that blanks the page.
      return query.overhead ? query.overhead({ range, filter }) : { samples: 0 };
    },
    '/api/keys': async (q) => {
      parseNone(q);
      if (!bridge) throw new NotFoundError('No bridge was given to createDashboard, so key-pool status is not available.');
      return { providers: await bridge.keyPoolStatus() };
    },
    '/api/limits': async (q) => {
      const actor = parseActorId(q);
      if (!bridge?.usageOf) throw new NotFoundError('No bridge was given to createDashboard, so rate limits are not available.');
      return { actor, limits: await bridge.usageOf(actor) };
    },
    '/api/breakers': async (q) => {
      parseNone(q);
      if (!bridge) throw new NotFoundError('No bridge was given to createDashboard, so circuit breaker status is not available.');
      // `null` when the bridge's circuit breaker is off.
      return { breakers: (typeof bridge.stats === 'function' ? bridge.stats().breakers : undefined) ?? null };
    },
    '/api/mcp': async (q) => {
      parseNone(q);
      if (!mcp) throw new NotFoundError('No MCP tool injector was given to createDashboard, so MCP server status is not available.');
      return { servers: (await mcp.status()).servers };
    },
  };
}

/** A store's rejection of a cursor it did not make; by code too, for custom stores and other copies of the package. */
function isInvalidCursor(err: unknown): boolean {
  return err instanceof InvalidCursorError || (err as { code?: unknown } | null)?.code === 'invalid_cursor';
}

/** Wraps an endpoint: `400` for bad input, `404` for nothing, `503` (logged, no detail) when the store fails. */
export function jsonHandler(name: string, endpoint: Endpoint, logger: Logger) {
  // Express 4 does not catch a handler's rejected promise (it would be an unhandled rejection): hand it to `next`.
  return function dashboardApiHandler(req: Request, res: Response, next: NextFunction): void {
    answer(req, res).catch(next);
  };

  async function answer(req: Request, res: Response): Promise<void> {
    let body: unknown;
    try {
      body = await endpoint(req.query as RawQuery, req, Date.now());
    } catch (err) {
      if (err instanceof DashboardInputError) return sendError(res, 400, 'invalid_request_error', 'invalid_parameter', err.message);
      if (isInvalidCursor(err)) return sendError(res, 400, 'invalid_request_error', 'invalid_parameter', '`cursor` must be a value returned as `nextCursor`.');
      if (err instanceof NotFoundError) return sendError(res, 404, 'not_found_error', 'not_found', err.message);
      logger.error('dashboard: the usage store failed', { endpoint: name, error: errorMessage(err) });
      return sendError(res, 503, 'server_error', 'store_unavailable', 'The usage store did not answer; see the server log.');
    }
    if (body === undefined) return sendError(res, 404, 'not_found_error', 'not_found', 'No interception with this id is stored.');
    try {
      sendJson(res, 200, body);
    } catch (err) {
      // A custom store may return values JSON cannot hold (BigInt, cycles).
      logger.error('dashboard: could not serialise a store answer', { endpoint: name, error: errorMessage(err) });
      sendError(res, 503, 'server_error', 'store_unavailable', 'The usage store returned data that cannot be sent; see the server log.');
    }
  }
}
