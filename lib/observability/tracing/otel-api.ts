/** The part of `@opentelemetry/api` the bridge uses, typed structurally, and its loading (only when tracing is asked for). */
import { loadOptionalPeer } from '../optional-peer';

/** An attribute value as OpenTelemetry takes it. */
export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue | undefined>;

/** An OpenTelemetry context (opaque to the bridge). */
export interface OtelContext {
  getValue(key: symbol): unknown;
}

/** An OpenTelemetry span, as far as the bridge writes to it. */
export interface OtelSpan {
  setAttribute(key: string, value: AttributeValue): unknown;
  setAttributes(attributes: Attributes): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  updateName(name: string): unknown;
  /** False when the span is sampled out: nothing written to it is kept, so nothing need be computed for it. */
  isRecording(): boolean;
  end(): void;
}

/** An OpenTelemetry tracer, as far as the bridge starts spans with it. */
export interface OtelTracer {
  startSpan(name: string, options?: { kind?: number; attributes?: Attributes }, context?: OtelContext): OtelSpan;
}

/**
 * An OpenTelemetry `TracerProvider` (e.g. a `NodeTracerProvider` or `BasicTracerProvider`), as far as the bridge
 * uses it. Structural, so that hosts without `@opentelemetry/api` compile against the bridge's types.
 */
export interface TracerProviderLike {
  getTracer(name: string, version?: string): OtelTracer;
}

/** Where a propagator writes its headers. */
export type HeaderCarrier = Record<string, string | string[]>;

/** The module `@opentelemetry/api`, as far as the bridge uses it. */
export interface OtelApi {
  trace: {
    getTracerProvider(): TracerProviderLike;
    setSpan(context: OtelContext, span: OtelSpan): OtelContext;
    getSpan(context: OtelContext): OtelSpan | undefined;
  };
  context: {
    active(): OtelContext;
    with<R>(context: OtelContext, fn: () => R): R;
  };
  propagation: {
    inject(context: OtelContext, carrier: HeaderCarrier): void;
    /** The headers the global propagator writes: none for the API's default no-op propagator. */
    fields(): string[];
  };
  SpanKind: { readonly INTERNAL: number; readonly SERVER: number; readonly CLIENT: number };
  SpanStatusCode: { readonly ERROR: number };
}

/** Loads `@opentelemetry/api`, or says which package is missing. */
export function loadOtelApi(owner: string): OtelApi {
  return loadOptionalPeer(owner, 'tracing', '@opentelemetry/api') as OtelApi;
}
