/** The metrics read when the registry is scraped: values the bridge keeps anyway (stats, key pool, recorder, in flight, tool servers). */
import type { Counter, Gauge } from 'prom-client';
import type { ScrapeSources, ToolHealthSource, ToolServerHealth } from './types';

type Prom = typeof import('prom-client');

/** Filled in once the bridge is built; until then a scrape reports nothing for these. */
export interface ScrapeTarget {
  sources: ScrapeSources | undefined;
}

/** Registers the scrape-time metrics; their collect callbacks read `target.sources`. */
export function registerScrapeMetrics(promClient: object, prefix: string, registers: never[]): ScrapeTarget {
  const prom = promClient as Prom;
  const target: ScrapeTarget = { sources: undefined };
  const stats = () => target.sources?.stats();
  const perProvider = (name: string, help: string, field: 'upstreamAttempts' | 'failovers') => new prom.Counter({
    name: prefix + name, help, labelNames: ['provider'], registers,
    collect(this: Counter<string>) {
      const s = stats();
      if (!s) return;
      this.reset();
      // Reset, then set to the totals kept elsewhere (they only grow, so the series stays a counter).
      for (const [provider, counters] of Object.entries(s.providers)) this.inc({ provider }, counters[field]);
    },
  });
  perProvider('upstream_attempts_total', 'Upstream calls made by bridged requests, failover retries included.', 'upstreamAttempts');
  perProvider('upstream_failovers_total', 'Upstream attempts answered with a key failure and retried on the next key.', 'failovers');

  const recorderCounter = (name: string, help: string, read: (s: ReturnType<ScrapeSources['stats']>) => number) => new prom.Counter({
    name: prefix + name, help, registers,
    collect(this: Counter<string>) {
      const s = stats();
      if (!s) return;
      this.reset();
      this.inc(read(s));
    },
  });
  recorderCounter('recorder_dropped_total', 'Recorder calls never made (queue full, their interception\'s start dropped, or after close).', (s) => s.recorderDropped);
  recorderCounter('recorder_failures_total', 'Recorder calls that threw or rejected before their deadline.', (s) => s.recorderFailures);
  recorderCounter('recorder_timeouts_total', 'Recorder calls that had not settled by their deadline.', (s) => s.recorderTimeouts);

  new prom.Counter({
    name: prefix + 'limit_decisions_total', help: 'Rate limit and budget decisions on bridged requests (admitted, limit_exceeded, budget_exceeded, failed_closed).',
    labelNames: ['decision'], registers,
    collect(this: Counter<string>) {
      const limits = stats()?.limits;
      this.reset();
      if (!limits) return;
      this.inc({ decision: 'admitted' }, limits.admitted);
      this.inc({ decision: 'limit_exceeded' }, limits.limitExceeded);
      this.inc({ decision: 'budget_exceeded' }, limits.budgetExceeded);
      this.inc({ decision: 'failed_closed' }, limits.failedClosed);
    },
  });
  recorderCounter('limit_store_failures_total', 'Rate limit store commands that failed or timed out (each failed open or closed as configured).', (s) => s.limits?.storeFailures ?? 0);

  const gauge = (name: string, help: string, read: (s: ScrapeSources) => number) => new prom.Gauge({
    name: prefix + name, help, registers,
    collect(this: Gauge<string>) {
      if (target.sources) this.set(read(target.sources));
    },
  });
  gauge('recorder_queue_depth', 'Recorder calls queued, running, or timed out and not settled yet.', (s) => s.stats().recorderPending);
  gauge('recorder_queue_bytes', 'Approximate bytes of the records of those calls.', (s) => s.stats().recorderPendingBytes);
  gauge('requests_in_flight', 'Bridged and passthrough requests in progress.', (s) => s.inflight());

  new prom.Gauge({
    name: prefix + 'keys', help: 'Provider keys by state (healthy, cooling).', labelNames: ['provider', 'state'], registers,
    async collect(this: Gauge<string>) {
      const sources = target.sources;
      if (!sources) return;
      const pools = await sources.keyPoolStatus();
      this.reset();
      for (const { provider, keys } of pools) {
        this.set({ provider, state: 'healthy' }, 0);
        this.set({ provider, state: 'cooling' }, 0);
        for (const key of keys) this.inc({ provider, state: key.state });
      }
    },
  });

  new prom.Gauge({
    name: prefix + 'tool_server_up', help: 'Whether each tool (MCP) server is connected (1) or not (0).', labelNames: ['server'], registers,
    async collect(this: Gauge<string>) {
      const tools = target.sources?.tools as ToolHealthSource | undefined;
      if (typeof tools?.status !== 'function') return;
      const status = await tools.status();
      this.reset();
      const servers: unknown = status?.servers;
      if (!Array.isArray(servers)) return;
      for (const server of servers) if (isHealth(server)) this.set({ server: server.name }, server.state === 'ready' ? 1 : 0);
    },
  });
  return target;
}

function isHealth(v: unknown): v is ToolServerHealth {
  return !!v && typeof (v as ToolServerHealth).name === 'string' && typeof (v as ToolServerHealth).state === 'string';
}
