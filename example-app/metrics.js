/** The example's Prometheus metrics: the bridge's series in their own registry, served at /metrics to admins (prom-client is optional). */
'use strict';

/** A registry when prom-client is installed (it is the package's optional peer), else undefined: the app runs without metrics. */
function createMetricsRegistry() {
  let promClient;
  try {
    promClient = require('prom-client');
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
  const registry = new promClient.Registry();
  promClient.collectDefaultMetrics({ register: registry });
  return registry;
}

/** The /metrics handler: the bridge's metricsHandler, or a 501 that says how to turn metrics on. */
function metricsRoute(registry, metricsHandler) {
  if (registry) return metricsHandler(registry);
  return function metricsUnavailable(_req, res) {
    res.status(501).type('text/plain').send('Metrics need prom-client: npm install prom-client@15\n');
  };
}

module.exports = { createMetricsRegistry, metricsRoute };
