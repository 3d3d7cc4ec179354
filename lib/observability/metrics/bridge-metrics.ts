/** BridgeMetrics: the Prometheus series the request path feeds (counters and histograms), label children resolved once. */
import type { Counter, Histogram } from 'prom-client';
import { detectClient } from '../client-info';
import { OTHER, ModelLabels, codeLabel } from './labels';
import type { MetricsConfig } from './options';
import { registerScrapeMetrics, type ScrapeTarget } from './scrape';
import type {
  EndedInterceptionView, InjectedToolView, KeyPoolEvents, ScrapeSources, TokenCountsView, ToolCallOutcome, TurnMetrics,
} from './types';

type Prom = typeof import('prom-client');

/** Seconds, for LLM calls: a cached answer in 50 ms to a long reasoning stream of 5 minutes. */
export const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];
/** Seconds, for one recorder call (a memory write to a slow database). */
export const RECORDER_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Child = ReturnType<Counter<string>['labels']>;
type HistogramChild = ReturnType<Histogram<string>['labels']>;

/** One provider, API and model's per-turn series. */
class TurnSeries implements TurnMetrics {
  constructor(
    private readonly input: Child, private readonly output: Child, private readonly cacheRead: Child,
    private readonly cacheWrite: Child, private readonly reasoning: Child, private readonly clientTools: Child,
    private readonly owner: BridgeMetrics,
  ) {}

  tokens(usage: TokenCountsView): void {
    if (usage.input > 0) this.input.inc(usage.input);
    if (usage.output > 0) this.output.inc(usage.output);
    if (usage.cacheRead > 0) this.cacheRead.inc(usage.cacheRead);
    if (usage.cacheWrite > 0) this.cacheWrite.inc(usage.cacheWrite);
    const extra = usage.extra;
    if (extra) {
      const reasoning = extra.completion_reasoning_tokens ?? extra.output_reasoning_tokens;
      if (reasoning !== undefined && reasoning > 0) this.reasoning.inc(reasoning);
    }
  }

  toolCall(tool: InjectedToolView | undefined, injected: boolean, outcome: ToolCallOutcome): void {
    if (!injected) this.clientTools.inc();
    else this.owner.injectedToolCall(tool, outcome);
  }
}

/** The bridge's metrics. Built once at bridge creation when `metrics` is set; absent otherwise (the hooks check for it). */
export class BridgeMetrics {
  private readonly interceptions: Counter<string>;
  private readonly duration: Histogram<string>;
  private readonly firstByte: Histogram<string>;
  private readonly tokens: Counter<string>;
  private readonly injectedTools: Counter<string>;
  private readonly clientTools: Counter<string>;
  private readonly passthrough: Counter<string>;
  private readonly passthroughDuration: Histogram<string>;
  private readonly cooldowns: Counter<string>;
  private readonly exhaustions: Counter<string>;
  private readonly recorderLatency: Histogram<string>;
  private readonly models: ModelLabels;
  private readonly actorLabel: boolean;
  private readonly ended = new Map<string, Child>();
  private readonly timings = new Map<string, [HistogramChild, HistogramChild]>();
  private readonly turns = new Map<string, TurnSeries>();
  private readonly tools = new Map<string, Child>();
  private readonly passthroughSeries = new Map<string, [Child, HistogramChild]>();
  private readonly scrape: ScrapeTarget;

  constructor(config: MetricsConfig) {
    const prom = config.prom as Prom;
    const { prefix, registry } = config;
    const registers = [registry as never];
    this.models = new ModelLabels(config.maxModels);
    this.actorLabel = config.actorLabel;
    const counter = (name: string, help: string, labelNames: string[]) => new prom.Counter({ name: prefix + name, help, labelNames, registers });
    const histogram = (name: string, help: string, labelNames: string[], buckets: number[]) =>
      new prom.Histogram({ name: prefix + name, help, labelNames, buckets, registers });
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
    this.recorderLatency = histogram('recorder_call_duration_seconds', 'Time one recorder call took to settle (or reach its deadline).', [], RECORDER_BUCKETS);
    this.scrape = registerScrapeMetrics(prom, prefix, registers);
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
    const client = detectClient(ix.req.headers['user-agent']) ?? OTHER;
    const actor = this.actorLabel ? (ix.actor?.id ?? '') : '';
    const key = `${provider}\0${api}\0${model}\0${status}\0${client}\0${actor}`;
    let ended = this.ended.get(key);
    if (!ended) {
      ended = this.actorLabel ? this.interceptions.labels(provider, api, model, status, client, actor) : this.interceptions.labels(provider, api, model, status, client);
      this.ended.set(key, ended);
    }
    ended.inc();
    const timingKey = `${provider}\0${api}\0${model}`;
    let timing = this.timings.get(timingKey);
    if (!timing) {
      timing = [this.duration.labels(provider, api, model), this.firstByte.labels(provider, api, model)];
      this.timings.set(timingKey, timing);
    }
    const now = Date.now();
    timing[0].observe((now - ix.startedAt) / 1000);
    if (ix.firstByteAt !== undefined) timing[1].observe((ix.firstByteAt - ix.startedAt) / 1000);
  }

  /** The series one turn of a request to `provider`'s `api` for `model` feeds. */
  turn(provider: string, api: string, model: string | undefined): TurnMetrics {
    const label = this.models.label(model);
    const key = `${provider}\0${api}\0${label}`;
    let series = this.turns.get(key);
    if (!series) {
      const t = (type: string) => this.tokens.labels(provider, api, label, type);
      series = new TurnSeries(t('input'), t('output'), t('cache_read'), t('cache_write'), t('reasoning'), this.clientTools.labels(provider, api), this);
      this.turns.set(key, series);
    }
    return series;
  }

  /** @internal An injected tool call ended (or was not run). */
  injectedToolCall(tool: InjectedToolView | undefined, outcome: ToolCallOutcome): void {
    const server = tool?.serverName ?? OTHER;
    const name = tool?.serverToolName ?? tool?.name ?? OTHER;
    const key = `${server}\0${name}\0${outcome}`;
    let child = this.tools.get(key);
    if (!child) {
      child = this.injectedTools.labels(server, name, outcome);
      this.tools.set(key, child);
    }
    child.inc();
  }

  /** A passthrough request's response is over (`route` is the allowlist pattern it matched, never the raw path). */
  passthroughEnded(provider: string, route: string | undefined, method: string, status: number, startedAt: number): void {
    const pattern = route ?? OTHER;
    const code = codeLabel(status);
    const key = `${provider}\0${pattern}\0${method}\0${code}`;
    let series = this.passthroughSeries.get(key);
    if (!series) {
      series = [this.passthrough.labels(provider, pattern, method, code), this.passthroughDuration.labels(provider, pattern)];
      this.passthroughSeries.set(key, series);
    }
    series[0].inc();
    series[1].observe((Date.now() - startedAt) / 1000);
  }

  /** What `provider`'s key pool reports to. */
  keyEvents(provider: string): KeyPoolEvents {
    const exhausted = this.exhaustions.labels(provider);
    const cooldowns = this.cooldowns;
    return {
      cooldown: (reason) => cooldowns.labels(provider, reason).inc(),
      exhausted: () => exhausted.inc(),
    };
  }

  /** One recorder call settled after `ms`. */
  readonly recorderCall = (ms: number): void => {
    this.recorderLatency.observe(ms / 1000);
  };
}
