/** What the request handlers share: built once by createBridge, read on every request. */
import type { Logger } from 'winston';
import { GatewayError } from '../errors';
import { errorMessage } from '../observability/logger';
import type { ActorResolver } from '../http/actor-types';
import type { KeyRouting } from '../keypool/key-routing';
import type { ProviderAdapter } from '../providers/types';
import type { SafeRecorder } from '../recorder/safe-recorder';
import type { Redactor } from '../redaction/redactor';
import type { UpstreamClient } from '../http/upstream-client';
import type { ProviderCounters } from '../observability/counters';
import type { ClientDetector } from '../observability/client-detector';
import type { ToolInjector } from '../tools/types';
import type { OfferedTools } from './loop/offered-tools';
import type { OwnershipGuard } from '../ownership/ownership-guard';
import type { BridgeMetrics } from '../observability/metrics/bridge-metrics';
import type { Limits } from '../governance/limits/limits';
import type { BridgeTracer } from '../observability/tracing/bridge-tracer';
import type { Authorization } from './authorize';
import type { Capacity } from './capacity';
import type { Dumps } from '../observability/dumps/dumps';
import type { CircuitBreakers } from '../governance/circuit-breakers';
import type { Guardrails } from './guard';
import type { RecordContent } from './record-content';

/** Why `close()` aborted a request: the client gets it as a provider-shaped `503`; the record says `aborted`. */
export const SHUTDOWN_ABORT = new GatewayError({ status: 503, errorType: 'aborted', code: 'shutting_down', message: 'The gateway shut down before this request finished.' });

interface InflightEntry {
  abort: ((reason: Error) => void) | undefined;
}

/** The requests in flight, so that `close()` can wait for them and abort those still running after its grace period. */
export class InflightRequests {
  private readonly active = new Set<InflightEntry>();
  private idle: Array<() => void> = [];
  private abortReason: Error | undefined;
  closing = false;

  constructor(private readonly logger: Logger) {}

  /**
   * Registers a request; returns the function that says it is over (safe to call more than once).
   * `abort` is called at most once, if `close()` gives up waiting for this request; it must not throw, and must
   * end the client response and the upstream request.
   */
  enter(abort?: (reason: Error) => void): () => void {
    const entry: InflightEntry = { abort };
    this.active.add(entry);
    // Entered after close() gave up waiting (a handler the host mounted itself): it will not be waited for either.
    if (this.abortReason) queueMicrotask(() => this.abortOne(entry, this.abortReason!));
    return () => {
      if (this.active.delete(entry) && this.active.size === 0) for (const wake of this.idle.splice(0)) wake();
    };
  }

  get size(): number {
    return this.active.size;
  }

  drained(): Promise<void> {
    return this.active.size === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }

  /** Calls the abort callback of every request still in flight, and of any that enters from now on. */
  abortAll(reason: Error): void {
    this.abortReason = reason;
    for (const entry of [...this.active]) this.abortOne(entry, reason);
  }

  private abortOne(entry: InflightEntry, reason: Error): void {
    const abort = entry.abort;
    entry.abort = undefined;
    if (!abort) return;
    try {
      abort(reason);
    } catch (err) {
      this.logger.error('aborting a request failed', { error: errorMessage(err) });
    }
  }
}

export interface BridgeRuntime {
  readonly logger: Logger;
  readonly recorder: SafeRecorder;
  readonly actor: ActorResolver;
  readonly maxBodyBytes: number;
  readonly maxResponseBytes: number;
  /** Host header names never forwarded (lower-cased), on top of the fixed rule. */
  readonly dropHeaders: readonly string[];
  readonly inflight: InflightRequests;
  /** Injected tools, when the host configured any. */
  readonly tools: ToolInjector | undefined;
  /** Caps and filters the injected tools per request (present with `tools`). */
  readonly offeredTools?: OfferedTools;
  /** One injected tool result, in UTF-8 bytes, before the model gets it. */
  readonly maxToolResultBytes: number;
  /** What a stream observer keeps for one interception. */
  readonly maxAccumulatedBytes: number;
  readonly streamKeepAliveMs: number;
  /** The one redaction rule (every provider's pool keys), for client bytes; records and logs apply it themselves. */
  readonly redactor: Redactor;
  /** Who owns the stored responses and conversations created through the bridge. */
  readonly ownership: OwnershipGuard;
  /** Names the client and session of each request, for its record. */
  readonly clients: ClientDetector;
  /** Prometheus metrics; undefined when the host did not ask for them. */
  readonly metrics?: BridgeMetrics;
  /** Rate limits and budgets; undefined when the host set none. */
  readonly limits?: Limits;
  /** OpenTelemetry spans; undefined when the host did not ask for them. */
  readonly tracing?: BridgeTracer;
  /** Whether answers carry `Server-Timing`. */
  readonly serverTiming: boolean;
  /** The host's `authorize` hook; undefined when every request is allowed. */
  readonly authorize?: Authorization;
  /** The in-flight bounds (`maxConcurrent`, `maxConcurrentPerActor`); undefined when there are none. */
  readonly capacity?: Capacity;
  /** API dumps of every upstream attempt; undefined when the host did not ask for them. */
  readonly dumps?: Dumps;
  /** One circuit per provider + API + model; undefined when the host did not turn the breaker on. */
  readonly breakers?: CircuitBreakers;
  /** The host's `guard` and `responseGuard`; undefined when there is neither. */
  readonly guard?: Guardrails;
  /** What records keep of content (`recordContent`); undefined when they keep everything and record no mode. */
  readonly recordContent?: RecordContent;
}

export interface ProviderRuntime {
  readonly adapter: ProviderAdapter;
  readonly client: UpstreamClient;
  readonly keys: KeyRouting;
  readonly counters: ProviderCounters;
}
