/** Traces for the example app: when OTEL_EXPORTER_OTLP_ENDPOINT is set, the OpenTelemetry Node SDK exports the bridge's spans over OTLP/HTTP. */
'use strict';

/**
 * Starts the SDK, or does nothing (and loads nothing) without an endpoint. The SDK registers itself globally (tracer
 * provider, async-hooks context, W3C propagators), which is what `createBridge({ tracing: true })` uses. Only traces
 * are exported: the exporter reads the other standard variables itself (OTEL_EXPORTER_OTLP_HEADERS, OTEL_SERVICE_NAME, …).
 * Returns a function that flushes what is pending and stops the SDK.
 */
function startTracing(endpoint) {
  if (!endpoint) return undefined;
  // Loaded only here: an app that does not trace needs none of these packages.
  const { NodeSDK } = require('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME || 'express-aibridge-example',
    traceExporter: new OTLPTraceExporter(),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  return () => sdk.shutdown();
}

module.exports = { startTracing };
