/** The circuit breaker's series: each circuit's state (read at scrape time) and its transitions (counted as they happen). */
import type { Gauge } from 'prom-client';
import type { ModelLabels } from './labels';
import type { ScrapeTarget } from './scrape';
import type { CounterFamily } from './series';

type Prom = typeof import('prom-client');

/** A circuit's state as the gauge's value: the worse wins when several models share the `other` label. */
const STATE_VALUES: Record<string, number> = { closed: 0, 'half-open': 1, open: 2 };

/** What the breaker reports to. */
export interface CircuitMetricEvents {
  transition(provider: string, api: string, model: string, to: string): void;
}

/** Registers `circuit_state` (0 closed, 1 half-open, 2 open), read from `stats().breakers` when scraped. */
export function registerCircuitState(promClient: object, prefix: string, registers: never[], target: ScrapeTarget, models: ModelLabels): void {
  const prom = promClient as Prom;
  new prom.Gauge({
    name: prefix + 'circuit_state', help: 'State of each circuit of the circuit breaker: 0 closed, 1 half-open (a probe in flight), 2 open.',
    labelNames: ['provider', 'api', 'model'], registers,
    collect(this: Gauge<string>) {
      const breakers = target.sources?.stats().breakers;
      if (!breakers) return;
      this.reset();
      const worst = new Map<string, { provider: string; api: string; model: string; value: number }>();
      for (const b of breakers) {
        const model = models.label(b.model);
        const key = `${b.provider}\0${b.api}\0${model}`;
        const value = STATE_VALUES[b.state] ?? 0;
        const seen = worst.get(key);
        if (!seen || seen.value < value) worst.set(key, { provider: b.provider, api: b.api, model, value });
      }
      for (const { value, ...labels } of worst.values()) this.set(labels, value);
    },
  });
}

/** What the breaker's transitions add to: `circuit_transitions_total{provider,api,model,to}`. */
export function circuitTransitions(family: CounterFamily, models: ModelLabels): CircuitMetricEvents {
  return {
    transition: (provider, api, model, to) => void family.child(provider, api, models.label(model), to).value++,
  };
}
