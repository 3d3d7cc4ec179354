/** Validation of the `tracing` option, once, at creation; `@opentelemetry/api` is loaded here only when tracing is on. */
import { OptionsError, isPlainObject, rejectUnknownKeys } from '../../options-check';
import { loadOtelApi, type OtelApi, type TracerProviderLike } from './otel-api';

/** Options of the bridge's OpenTelemetry traces (`createBridge({ tracing })`); needs the optional package `@opentelemetry/api`. */
export interface TracingOptions {
  /** Where the bridge's tracer comes from. Defaults to the globally registered tracer provider (`trace.getTracerProvider()`). */
  tracerProvider?: TracerProviderLike;
}

/** What the bridge keeps of `tracing`: the API module and the provider its tracer comes from. */
export interface TracingConfig {
  api: OtelApi;
  tracerProvider: TracerProviderLike;
}

const KNOWN = ['tracerProvider'] as const;

/** `undefined` when tracing is off (`undefined` or `false`). */
export function normalizeTracingOptions(owner: string, v: unknown): TracingConfig | undefined {
  if (v === undefined || v === false) return undefined;
  if (v !== true && !isPlainObject(v)) throw new OptionsError(owner, 'tracing', 'must be a boolean or an object ({ tracerProvider? }).');
  let given: TracerProviderLike | undefined;
  if (v !== true) {
    rejectUnknownKeys(owner, v, KNOWN, 'tracing.');
    given = (v as TracingOptions).tracerProvider;
    if (given !== undefined && (!given || typeof given.getTracer !== 'function')) {
      throw new OptionsError(owner, 'tracing.tracerProvider', 'must be an OpenTelemetry TracerProvider (with getTracer()).');
    }
  }
  const api = loadOtelApi(owner);
  return { api, tracerProvider: given ?? api.trace.getTracerProvider() };
}
