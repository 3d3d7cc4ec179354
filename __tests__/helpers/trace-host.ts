/** A host app for trace tests: an in-memory span exporter, the async-hooks context manager, a host middleware span around every request, a bridge at /ai. */
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import winston from 'winston';
import { createBridge, MemoryRecorder, type Bridge, type BridgeOptions } from '../../lib';
import { testActor } from './gateway';

/** Registers the async-hooks context manager (once per test file: the API keeps the first one registered). */
export function registerContextManager(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

export interface TraceHost {
  base: string;
  bridge: Bridge;
  exporter: InMemorySpanExporter;
  provider: BasicTracerProvider;
  recorder: MemoryRecorder;
  /** The host middleware's span of each request, by the request's `x-test-request` header. */
  hostSpans: Map<string, Span>;
  close(): Promise<void>;
}

/**
 * Starts the host. A request with `x-test-request: <name>` runs inside a host span (`host <name>`) the host ends when
 * its response finishes; one without the header runs without a span of the host's.
 */
export async function startTraceHost(options: Partial<BridgeOptions> & Pick<BridgeOptions, 'providers'>, tracing: 'provider' | 'global' | 'off' = 'provider'): Promise<TraceHost> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const recorder = new MemoryRecorder();
  const bridge = createBridge({
    actor: testActor, logger: winston.createLogger({ silent: true }), recorder, ...options,
    ...(tracing === 'provider' ? { tracing: { tracerProvider: provider } } : tracing === 'global' ? { tracing: true } : {}),
  });
  const hostSpans = new Map<string, Span>();
  const hostTracer = provider.getTracer('host-app');
  const app = express();
  app.use((req, res, next) => {
    const name = req.headers['x-test-request'];
    if (typeof name !== 'string') return next();
    hostTracer.startActiveSpan(`host ${name}`, (span) => {
      hostSpans.set(name, span);
      res.once('close', () => span.end());
      next();
    });
  });
  app.use('/ai', bridge);
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bridge, exporter, provider, recorder, hostSpans,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await bridge.close();
      await provider.shutdown();
    },
  };
}

/** The finished spans of the trace `traceId`. */
export function spansOf(exporter: InMemorySpanExporter, traceId: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
}

/** The parent span id of `span` (SDK 2: `parentSpanContext`). */
export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

export { trace };
