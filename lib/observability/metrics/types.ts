/** The structural shapes the metrics read: prom-client's registry as far as the bridge needs it, and the bridge's own views. */

/**
 * A prom-client `Registry` (or the default `register`), as far as the bridge uses it. Structural, so that hosts
 * without prom-client compile against these types.
 */
export interface MetricsRegistry {
  /** The text exposition of every registered metric. */
  metrics(): Promise<string>;
  /** The content type of that text (`text/plain; version=0.0.4; charset=utf-8`). */
  readonly contentType: string;
  registerMetric(metric: never): void;
  getSingleMetric(name: string): unknown;
}

/** Options of the bridge's Prometheus metrics (`createBridge({ metrics })`); needs the optional package `prom-client`. */
export interface MetricsOptions {
  /** Where the metrics are registered. Defaults to prom-client's default `register`. */
  registry?: MetricsRegistry;
  /** Prefix of every metric name (letters, digits and `_`). Defaults to `aibridge_`. */
  prefix?: string;
  /** Most distinct model label values; later models are counted as `other`. Defaults to 50. */
  maxModels?: number;
  /** Adds an `actor` label (the actor's id) to `interceptions_total`. Only for a bounded set of actors. Defaults to false. */
  actorLabel?: boolean;
}

/** One tool server as the tool injector's `status()` describes it (`mcpToolInjector` does). */
export interface ToolServerHealth {
  /** The server's configured name. */
  name: string;
  /** `ready` while the server is connected and serving its tools; any other state counts as down. */
  state: string;
}

/** What the metrics read of a tool injector: its servers' health, at scrape time. */
export interface ToolHealthSource {
  status?(): { servers: ReadonlyArray<ToolServerHealth> } | Promise<{ servers: ReadonlyArray<ToolServerHealth> }>;
}

/** An ended interception, as the metrics read it. */
export interface EndedInterceptionView {
  readonly providerName: string;
  readonly api: { readonly name: string };
  readonly call: { readonly model: string } | undefined;
  /** The AI client recognised from the request; undefined when no rule matched. */
  readonly client: string | undefined;
  readonly actor: { readonly id: string } | undefined;
  readonly startedAt: number;
  readonly firstByteAt: number | undefined;
}

/** Token counts of one upstream answer (`input` without cached tokens; reasoning is within `output`, repeated in `extra`). */
export interface TokenCountsView {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  extra?: Record<string, number>;
}

/** An injected tool as the metrics label it. */
export interface InjectedToolView {
  readonly serverName?: string;
  readonly serverToolName?: string;
  readonly name: string;
}

/** How one injected tool call ended. */
export type ToolCallOutcome = 'ok' | 'error' | 'not_run';

/** What one turn of one interception reports (its labels resolved once per provider, API and model). */
export interface TurnMetrics {
  tokens(usage: TokenCountsView): void;
  /** An injected call (`tool` is what was injected under its name), or a client tool the model selected (`tool` undefined). */
  toolCall(tool: InjectedToolView | undefined, injected: boolean, outcome: ToolCallOutcome): void;
}

/** What a key pool reports as its keys change state. */
export interface KeyPoolEvents {
  cooldown(reason: string): void;
  exhausted(): void;
}

/** Values that exist elsewhere, read when the registry is scraped. */
export interface ScrapeSources {
  stats(): {
    providers: Record<string, { upstreamAttempts: number; failovers: number }>;
    recorderFailures: number; recorderTimeouts: number; recorderDropped: number; recorderPending: number; recorderPendingBytes: number;
    /** Present when rate limits are set. */
    limits?: { admitted: number; limitExceeded: number; budgetExceeded: number; failedClosed: number; storeFailures: number };
    /** The circuit breaker's circuits, when it is on. */
    breakers?: ReadonlyArray<{ provider: string; api: string; model: string; state: string }>;
  };
  keyPoolStatus(): Promise<Array<{ provider: string; keys: Array<{ state: string }> }>>;
  inflight(): number;
  /** The tool injector, read as a {@link ToolHealthSource} when it has `status()`. */
  tools: object | undefined;
}
