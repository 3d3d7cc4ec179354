/** createDashboard: options → an Express Router serving the usage page, its assets and read-only JSON endpoints. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { createApiEndpoints, jsonHandler } from './dashboard-api';
import { normalizeDashboardOptions, type DashboardOptions } from './dashboard-options';
import { sendError, sendMethodNotAllowed, setSecurityHeaders } from './dashboard-http';
import { renderPageShell } from './assets/page-html';
import { PAGE_CSS } from './assets/page-css';
import { CLIENT_SCRIPT } from './assets/client-script';

interface Asset {
  type: string;
  body: Buffer;
}

/** Chart.js's browser bundle, from the installed dependency (no CDN). Its package exports do not list it, hence the path walk. */
function readChartJs(): Buffer {
  return readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'));
}

/** The page's trailing slash matters: its asset and API URLs are relative to it. */
function endsWithSlash(req: Request): boolean {
  const q = req.originalUrl.indexOf('?');
  return (q < 0 ? req.originalUrl : req.originalUrl.slice(0, q)).endsWith('/');
}

// The last segment of the mount path, when it is plain enough to put into a relative Location as it is.
const PLAIN_SEGMENT = /\/([A-Za-z0-9._~-]+)$/;

/**
 * Builds the dashboard router. Mount it behind the host's own authentication:
 * `app.use('/admin/ai', adminAuth, createDashboard({ query: recorder, bridge }))`.
 */
export function createDashboard(options: DashboardOptions): Router {
  const config = normalizeDashboardOptions(options);
  const assetBase = config.basePath === undefined ? 'assets/' : `${config.basePath}/assets/`;
  const page = Buffer.from(renderPageShell({ title: config.title, assetBase, hasKeys: !!config.bridge, hasMcp: !!config.mcp }));
  const assets: Record<string, Asset> = {
    '/assets/dashboard.js': { type: 'text/javascript; charset=utf-8', body: Buffer.from(CLIENT_SCRIPT) },
    '/assets/dashboard.css': { type: 'text/css; charset=utf-8', body: Buffer.from(PAGE_CSS) },
    '/assets/chart.umd.min.js': { type: 'text/javascript; charset=utf-8', body: readChartJs() },
  };
  const endpoints = createApiEndpoints(config);
  const router = express.Router();

  router.use(function dashboardSecurityHeaders(_req: Request, res: Response, next: NextFunction) {
    setSecurityHeaders(res);
    next();
  });

  router.get('/', function dashboardPage(req: Request, res: Response) {
    if (config.basePath === undefined && !endsWithSlash(req)) {
      const segment = PLAIN_SEGMENT.exec(req.originalUrl.split('?')[0]);
      if (segment) {
        res.status(308).set('Location', `./${segment[1]}/`).set('Cache-Control', 'no-store').end();
        return;
      }
    }
    res.status(200).set('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(page);
  });
  router.all('/', sendMethodNotAllowed);

  for (const [route, asset] of Object.entries(assets)) {
    router.get(route, function dashboardAsset(_req: Request, res: Response) {
      // Revalidated by ETag: a package upgrade must not leave an old script in the browser.
      res.status(200).set('Cache-Control', 'no-cache').type(asset.type).send(asset.body);
    });
    router.all(route, sendMethodNotAllowed);
  }

  for (const [route, endpoint] of Object.entries(endpoints)) {
    router.get(route, jsonHandler(route, endpoint, config.logger));
    router.all(route, sendMethodNotAllowed);
  }

  // The router owns everything under its mount path: nothing falls through to the host's handlers.
  router.use(function dashboardNotFound(_req: Request, res: Response) {
    sendError(res, 404, 'not_found_error', 'not_found', 'Not found.');
  });
  router.use(function dashboardError(err: unknown, _req: Request, res: Response, _next: NextFunction) {
    // Express itself fails here on malformed URLs (bad percent-encoding in `:id`); that is the client's input.
    const status = (err as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      sendError(res, status, 'invalid_request_error', null, 'The request is malformed.');
      return;
    }
    config.logger.error('dashboard: unexpected error', { error: err instanceof Error ? err.message : 'unknown error' });
    sendError(res, 500, 'server_error', null, 'Internal error.');
  });
  return router;
}
