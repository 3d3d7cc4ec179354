/** BridgeMetrics: the Prometheus series the request path feeds (counters and histograms), label children resolved once. */
import { OTHER, ModelLabels, codeLabel } from './labels';
import type { MetricsConfig } from './options';
import { registerScrapeMetrics, type ScrapeTarget } from './scrape';
import { circuitTransitions, registerCircuitState, type CircuitMetricEvents } from './circuit-metrics';
import { CounterFamily, HistogramFamily, type CounterSeries, type HistogramSeries } from './series';
import type {
  EndedInterceptionView, InjectedToolView, KeyPoolEvents, ScrapeSources, TokenCountsView, ToolCallOutcome, TurnMetrics,
} from './types';

/** Seconds, for LLM calls: a cached answer in 50 ms to a long reasoning stream of 5 minutes. */
export const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];
/** Seconds, for one recorder call (a memory write to a slow database). */
export const RECORDER_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** How many distinct User-Agents keep their client label (hostile clients can send a new one with every request). */

type Child = CounterSeries;
type HistogramChild = HistogramSeries;

/** One provider, API and model's per-turn series. */
class TurnSeries implements TurnMetrics {
  constructor(
    private readonly input: Child, private readonly output: Child, private readonly cacheRead: Child,
    private readonly cacheWrite: Child, private readonly reasoning: Child, private readonly clientTools: Child,
    private readonly owner: BridgeMetrics,
  ) {}

  tokens(usage: TokenCountsView): void {
    this.input.value += usage.input;
    this.output.value += usage.output;
    this.cacheRead.value += usage.cacheRead;
    this.cacheWrite.value += usage.cacheWrite;
    const extra = usage.extra;
    if (extra) this.reasoning.value += extra.completion_reasoning_tokens ?? extra.output_reasoning_tokens ?? 0;
  }

  toolCall(tool: InjectedToolView | undefined, injected: boolean, outcome: ToolCallOutcome): void {
    if (!injected) this.clientTools.value++;
    else this.owner.injectedToolCall(tool, outcome);
  }
}

/**
 * The series of one provider, API and model label, made on first use. The request path reaches it through nested maps
 * of label values it already holds, so no key string is built (and hashed) per request.
 */
class ModelSeries {
  timing: [HistogramChild, HistogramChild] | undefined;
  turn: TurnSeries | undefined;
  /** `interceptions_total` by status, then client (`client\0actor` with the actor label). */
  readonly ended = new Map<string, Map<string, Child>>();
}

/** The bridge's metrics. Built once at bridge creation when `metrics` is set; absent otherwise (the hooks check for it). */
export class BridgeMetrics {
  private readonly interceptions: CounterFamily;
  private readonly duration: HistogramFamily;
  private readonly firstByte: HistogramFamily;
  private readonly tokens: CounterFamily;
  private readonly injectedTools: CounterFamily;
  private readonly clientTools: CounterFamily;
  private readonly passthrough: CounterFamily;
  private readonly passthroughDuration: HistogramFamily;
  private readonly cooldowns: CounterFamily;
  private readonly exhaustions: CounterFamily;
  private readonly refusals: CounterFamily;
  private readonly guardEdits: CounterFamily;
  private readonly recorderLatency: HistogramSeries;
  private readonly models: ModelLabels;
  private readonly actorLabel: boolean;
  /** Provider → API → model label → its series. */
  private readonly byModel = new Map<string, Map<string, Map<string, ModelSeries>>>();
  private readonly tools = new Map<string, Child>();
  private readonly passthroughSeries = new Map<string, [Child, HistogramChild]>();
  private readonly refusalSeries = new Map<string, Child>();
  private readonly scrape: ScrapeTarget;
  /** What the circuit breaker reports its transitions to. */
  readonly circuitEvents: CircuitMetricEvents;

  constructor(config: MetricsConfig) {
    const { prefix, registry } = config;
    const registers = [registry as never];
    this.models = new ModelLabels(config.maxModels);
    this.actorLabel = config.actorLabel;
    const counter = (name: string, help: string, labelNames: string[]) => {
      const family = new CounterFamily(prefix + name, help, labelNames);
      registry.registerMetric(family as never);
      return family;
    };
    const histogram = (name: string, help: string, labelNames: string[], buckets: number[]) => {
      const family = new HistogramFamily(prefix + name, help, labelNames, buckets);
      registry.registerMetric(family as never);
      return family;
    };
    this.interceptions = counter('interceptions_total', 'Bridged requests ended, by how they ended (completed, failed, aborted).',
      ['provider', 'api', 'model', 'status', 'client', ...(config.actorLabel ? ['actor'] : [])]);
    this.duration = histogram('interception_duration_seconds', 'Time from a bridged request\'s arrival to its end.', ['provider', 'api', 'model'], LATENCY_BUCKETS);
    this.firstByte = histogram('interception_time_to_first_byte_seconds', 'Time from a bridged request\'s arrival to the first upstream answer\'s head.',
      ['provider', 'api', 'model'], LATENCY_BUCKETS);
    this.tokens = counter('tokens_total', 'Tokens reported by the upstream, by type (input excludes cache reads; reasoning is also counted in output).',
      ['provider', 'api', 'model', 'type']);
    this.injectedTools = counter('injected_tool_calls_total', 'Injected tool calls the bridge ran (or did not run), by server, tool and outcome.', ['server', 'tool', 'outcome']);
    this.clientTools = counter('client_tool_calls_total', 'Calls of the client\'s own tools that the model selected.', ['provider', 'api']);
    this.passthrough = counter('passthrough_requests_total', 'Passthrough requests, by allowlisted route pattern, method and HTTP status code.',
      ['provider', 'route', 'method', 'code']);
    this.passthroughDuration = histogram('passthrough_duration_seconds', 'Time from a passthrough request\'s arrival to the end of its response.',
      ['provider', 'route'], LATENCY_BUCKETS);
    this.cooldowns = counter('key_cooldowns_total', 'Provider keys put into cooldown (a healthy key turning cooling), by reason.', ['provider', 'reason']);
    this.exhaustions = counter('key_pool_exhaustions_total', 'Requests refused because every key of the provider\'s pool was cooling.', ['provider']);
    this.refusals = counter('refusals_total', 'Requests the bridge itself refused before any upstream call, by reason (forbidden, authorize_failed, at_capacity).',
      ['provider', 'reason']);
    this.guardEdits = counter('guard_edits_total', 'Requests (what="request") and blocking answers (what="response") a guard edited before they went on.', ['provider', 'what']);
    this.recorderLatency = histogram('recorder_call_duration_seconds', 'Time one recorder call took to settle (or reach its deadline).', [], RECORDER_BUCKETS).child();
    this.scrape = registerScrapeMetrics(config.prom, prefix, registers);
    registerCircuitState(config.prom, prefix, registers, this.scrape, this.models);
    this.circuitEvents = circuitTransitions(counter('circuit_transitions_total', 'Circuit breaker state changes, by provider, API, model and the state entered (open, half-open, closed).',
      ['provider', 'api', 'model', 'to']), this.models);
  }

  /** Where the values read at scrape time come from (set once the bridge is built). */
  readFrom(sources: ScrapeSources): void {
    this.scrape.sources = sources;
  }

  /** One bridged request ended. */
  interceptionEnded(ix: EndedInterceptionView, status: string): void {
    const model = this.models.label(ix.call?.model);
    const provider = ix.providerName;
    const api = ix.api.name;
    const client = ix.client ?? OTHER;
    const series = this.seriesOf(provider, api, model);
    let byClient = series.ended.get(status);
    if (!byClient) series.ended.set(status, (byClient = new Map()));
    const actor = this.actorLabel ? (ix.actor?.id ?? '') : undefined;
    const key = actor === undefined ? client : `${client}\0${actor}`;
    let ended = byClient.get(key);
    if (!ended) {
      ended = actor !== undefined ? this.interceptions.child(provider, api, model, status, client, actor) : this.interceptions.child(provider, api, model, status, client);
      byClient.set(key, ended);
    }
    ended.value++;
    const timing = series.timing ??= [this.duration.child(provider, api, model), this.firstByte.child(provider, api, model)];
    const now = Date.now();
    timing[0].observe((now - ix.startedAt) / 1000);
    if (ix.firstByteAt !== undefined) timing[1].observe((ix.firstByteAt - ix.startedAt) / 1000);
  }

  /** The series of `provider`'s `api` and `model` (a label), made on first use. */
  private seriesOf(provider: string, api: string, model: string): ModelSeries {
    let byApi = this.byModel.get(provider);
    if (!byApi) this.byModel.set(provider, (byApi = new Map()));
    let models = byApi.get(api);
    if (!models) byApi.set(api, (models = new Map()));
    let series = models.get(model);
    if (!series) models.set(model, (series = new ModelSeries()));
    return series;
  }

  /** The series one turn of a request to `provider`'s `api` for `model` feeds. */
  turn(provider: string, api: string, model: string | undefined): TurnMetrics {
    const label = this.models.label(model);
    const series = this.seriesOf(provider, api, label);
    if (series.turn) return series.turn;
    const t = (type: string) => this.tokens.child(provider, api, label, type);
    return (series.turn = new TurnSeries(t('input'), t('output'), t('cache_read'), t('cache_write'), t('reasoning'), this.clientTools.child(provider, api), this));
  }

  /** @internal An injected tool call ended (or was not run). */
  injectedToolCall(tool: InjectedToolView | undefined, outcome: ToolCallOutcome): void {
    const server = tool?.serverName ?? OTHER;
    const name = tool?.serverToolName ?? tool?.name ?? OTHER;
    const key = `${server}\0${name}\0${outcome}`;
    let child = this.tools.get(key);
    if (!child) {
      child = this.injectedTools.child(server, name, outcome);
      this.tools.set(key, child);
    }
    child.value++;
  }

  /** A passthrough request's response is over (`route` is the allowlist pattern it matched, never the raw path). */
  passthroughEnded(provider: string, route: string | undefined, method: string, status: number, startedAt: number): void {
    const pattern = route ?? OTHER;
    const code = codeLabel(status);
    const key = `${provider}\0${pattern}\0${method}\0${code}`;
    let series = this.passthroughSeries.get(key);
    if (!series) {
      series = [this.passthrough.child(provider, pattern, method, code), this.passthroughDuration.child(provider, pattern)];
      this.passthroughSeries.set(key, series);
    }
    series[0].value++;
    series[1].observe((Date.now() - startedAt) / 1000);
  }

  /** A guard edited a request or an answer of `provider` (`what`: `request` or `response`). */
  guardEdited(provider: string, what: 'request' | 'response'): void {
    this.guardEdits.child(provider, what).value++;
  }

  /** The bridge refused a request to `provider` on its own (`reason` is the refusal's code, a fixed set). */
  refused(provider: string, reason: string): void {
    const key = `${provider}\0${reason}`;
    let child = this.refusalSeries.get(key);
    if (!child) {
      child = this.refusals.child(provider, reason);
      this.refusalSeries.set(key, child);
    }
    child.value++;
  }

  /** What `provider`'s key pool reports to. */
  keyEvents(provider: string): KeyPoolEvents {
    const exhausted = this.exhaustions.child(provider);
    const cooldowns = this.cooldowns;
    return {
      cooldown: (reason) => void cooldowns.child(provider, reason).value++,
      exhausted: () => void exhausted.value++,
    };
  }

  /** One recorder call settled after `ms`. */
  readonly recorderCall = (ms: number): void => {
    this.recorderLatency.observe(ms / 1000);
  };
}
