/** The part of `@opentelemetry/api` the bridge uses, typed structurally, and its loading (only when tracing is asked for). */
import { OptionsError } from '../../options-check';

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
  };
  SpanKind: { readonly INTERNAL: number; readonly SERVER: number; readonly CLIENT: number };
  SpanStatusCode: { readonly ERROR: number };
}

/** Loads `@opentelemetry/api`, or says which package is missing. */
export function loadOtelApi(owner: string): OtelApi {
  try {
    // Required here and only here, so a bridge without tracing never loads it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@opentelemetry/api') as OtelApi;
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    if (code !== 'MODULE_NOT_FOUND') throw err;
    throw new OptionsError(owner, 'tracing', 'needs the optional package @opentelemetry/api, which is not installed: run `npm install @opentelemetry/api`.');
  }
}
