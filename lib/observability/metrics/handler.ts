/** metricsHandler: an Express handler answering a registry's metrics in the Prometheus text format. */
import type { Request, Response } from 'express';
import type { MetricsRegistry } from './types';

/**
 * Serves `registry` (the one given to `createBridge({ metrics: { registry } })`, or prom-client's default
 * `register`) for a `/metrics` route: `app.get('/metrics', metricsHandler(registry))`. Protect the route as
 * you would any internal endpoint. A collection that fails answers `500` without details.
 */
export function metricsHandler(registry: MetricsRegistry) {
  if (!registry || typeof registry.metrics !== 'function') throw new TypeError('metricsHandler: `registry` must be a prom-client Registry.');
  return async function metricsRoute(_req: Request, res: Response): Promise<void> {
    let text: string;
    try {
      text = await registry.metrics();
    } catch {
      res.status(500).type('text/plain').send('metrics collection failed\n');
      return;
    }
    res.setHeader('content-type', registry.contentType);
    res.end(text);
  };
}
