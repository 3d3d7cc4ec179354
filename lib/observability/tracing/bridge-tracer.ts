/** BridgeTracer: the one tracer of a bridge, built at creation when `tracing` is on; the pipeline asks it for each request's spans. */
import type { Logger } from 'winston';
import { errorMessage } from '../logger';
import { ATTR, CHAT, genAiProvider } from './attributes';
import { InterceptionTrace } from './interception-trace';
import type { TracingConfig } from './options';
import type { HeaderCarrier, OtelApi, OtelContext, OtelSpan, OtelTracer } from './otel-api';
import { PassthroughTrace } from './passthrough-trace';

/** The tracer's name (the instrumentation scope of every span the bridge makes). */
export const TRACER_NAME = 'express-aibridge';

/** The provider a traced request goes to, as its spans name it. */
export interface TracedProvider {
  readonly name: string;
  readonly kind: string;
}

export class BridgeTracer {
  readonly api: OtelApi;
  readonly tracer: OtelTracer;

  constructor(config: TracingConfig, readonly logger: Logger) {
    this.api = config.api;
    this.tracer = config.tracerProvider.getTracer(TRACER_NAME);
  }

  /** The spans of one bridged request, its root started now under the host's active context. */
  interception(provider: TracedProvider, api: string, route?: string): InterceptionTrace | undefined {
    try {
      const { root, parent } = this.startRoot(CHAT, {
        [ATTR.operation]: CHAT, [ATTR.provider]: genAiProvider(provider.kind), [ATTR.providerName]: provider.name, [ATTR.api]: api, [ATTR.route]: route,
      });
      return new InterceptionTrace(this, root, parent);
    } catch (err) {
      this.failed(err);
      return undefined;
    }
  }

  /** The span of one passthrough request. */
  passthrough(provider: TracedProvider, method: string, route: string | undefined): PassthroughTrace | undefined {
    try {
      const { root, parent } = this.startRoot(`${method} ${route ?? 'passthrough'}`, {
        [ATTR.provider]: genAiProvider(provider.kind), [ATTR.providerName]: provider.name, [ATTR.httpMethod]: method, [ATTR.httpRoute]: route,
      });
      return new PassthroughTrace(this, root, parent);
    } catch (err) {
      this.failed(err);
      return undefined;
    }
  }

  /**
   * Writes the trace headers of `span` (a child of `context`) into `headers`: only a globally registered propagator
   * writes any, so without one (no fields) the span's context is not even made. Asked on every call: a host may
   * register its propagator after the bridge is built.
   */
  inject(context: OtelContext, span: OtelSpan, headers: HeaderCarrier): void {
    if (!this.propagates()) return;
    this.api.propagation.inject(this.api.trace.setSpan(context, span), headers);
  }

  /** Whether a registered propagator writes trace headers (the API's default no-op one names no fields). */
  propagates(): boolean {
    return this.api.propagation.fields().length > 0;
  }

  /** Writes the active context into `headers` (a tool server's request, made while a tool call's span is active). */
  readonly traceHeaders = (headers: Record<string, string>): void => {
    try {
      this.api.propagation.inject(this.api.context.active(), headers);
    } catch (err) {
      this.failed(err);
    }
  };

  /** A tracing failure is logged and otherwise ignored: it never changes what the client gets. */
  failed(err: unknown): void {
    this.logger.debug('tracing failed', { error: errorMessage(err) });
  }

  /**
   * A root span under the host's active context (`parent`, returned with it): SERVER when the host has no span of
   * its own, INTERNAL below one. The root's own context is made only when a child or a propagator needs it.
   */
  private startRoot(name: string, attributes: Record<string, string | undefined>): { root: OtelSpan; parent: OtelContext } {
    const { api } = this;
    const parent = api.context.active();
    const kind = api.trace.getSpan(parent) ? api.SpanKind.INTERNAL : api.SpanKind.SERVER;
    return { root: this.tracer.startSpan(name, { kind, attributes }, parent), parent };
  }
}
