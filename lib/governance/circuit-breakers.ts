/** The bridge's circuit breakers: one circuit per provider + API + model, made on first use, bounded in number. */
import type { Logger } from 'winston';
import { GatewayError } from '../errors';
import { Circuit, type CircuitPass, type CircuitStateName } from './circuit';
import type { CircuitBreakerConfig } from './circuit-breaker-options';

export type { CircuitPass } from './circuit';

const MAX_MODEL_CHARS = 256;

/** One circuit's state, in `stats().breakers` and the dashboard. */
export interface CircuitBreakerStatus {
  provider: string;
  api: string;
  model: string;
  state: CircuitStateName;
  /** Counted upstream failures within the window, now. */
  failures: number;
  /** While open: when the next probe request may pass. */
  openUntil?: Date;
}

/** Told of each circuit's state change (metrics). */
export interface CircuitEvents {
  transition(provider: string, api: string, model: string, to: CircuitStateName): void;
}

/** The answer while a circuit is open: the provider's `503`, `Retry-After` the seconds until the next probe. */
export function circuitOpenError(provider: string, model: string, retryAfterSec: number): GatewayError {
  return new GatewayError({
    status: 503, errorType: 'overloaded', code: 'circuit_open', retryAfterSec,
    message: `The gateway is not sending requests for ${model} to ${provider} for now: its recent answers failed (circuit open). Retry after ${retryAfterSec} s.`,
  });
}

/** Whether `err` is the refusal of an open circuit. */
export function isCircuitOpen(err: unknown): boolean {
  return err instanceof GatewayError && err.code === 'circuit_open';
}

/** Every circuit of the bridge, by provider, API and model (the model name the client sent). */
export class CircuitBreakers {
  /** In least recently used order, first. */
  private readonly circuits = new Map<string, Circuit>();
  /** Told of transitions (metrics); none by default. */
  events: CircuitEvents | undefined;

  constructor(private readonly config: CircuitBreakerConfig, private readonly logger: Logger) {}

  /**
   * Lets a request of `actor` to `provider`'s `api` for `model` through, returning the pass to settle when it ends
   * (undefined when the circuit is not tracked), or throws the `503` of an open circuit.
   */
  admit(provider: string, api: string, model: string, actor?: string): CircuitPass | undefined {
    const circuit = this.circuitOf(provider, api, model);
    if (!circuit) return undefined;
    const pass = circuit.admit(actor);
    if (typeof pass === 'number') throw circuitOpenError(provider, model, pass);
    return pass;
  }

  /** Every circuit's state, least recently used first. */
  status(): CircuitBreakerStatus[] {
    return [...this.circuits.values()].map((c) => {
      const until = c.openUntil;
      return { provider: c.provider, api: c.api, model: c.model, state: c.state, failures: c.failures, ...(until !== undefined ? { openUntil: new Date(until) } : {}) };
    });
  }

  private circuitOf(provider: string, api: string, model: string): Circuit | undefined {
    // A name no model has (a client sends what it likes) is not worth a circuit, nor the memory to keep it.
    if (model.length > MAX_MODEL_CHARS) return undefined;
    const key = `${provider}\0${api}\0${model}`;
    const circuits = this.circuits;
    let circuit = circuits.get(key);
    if (circuit) {
      // Most recently used last, so that the first closed one is the one to forget.
      circuits.delete(key);
      circuits.set(key, circuit);
      return circuit;
    }
    if (circuits.size >= this.config.maxCircuits && !this.forgetOne()) return undefined;
    circuit = new Circuit(provider, api, model, this.config, (c, to) => this.transition(c, to));
    circuits.set(key, circuit);
    return circuit;
  }

  /** Forgets the least recently used closed circuit; an open or probing one is never forgotten (a client could name models to erase it). */
  private forgetOne(): boolean {
    for (const [key, circuit] of this.circuits) {
      if (circuit.state !== 'closed') continue;
      this.circuits.delete(key);
      return true;
    }
    return false;
  }

  private transition(circuit: Circuit, to: CircuitStateName): void {
    const { provider, api, model } = circuit;
    try {
      if (to === 'open') {
        this.logger.warn('circuit opened: requests refused until a probe succeeds', { provider, api, model, openMs: this.config.openMs });
      } else if (to === 'half-open') {
        this.logger.info('circuit half-open: one probe request passes', { provider, api, model });
      } else {
        this.logger.info('circuit closed: the probe request succeeded', { provider, api, model });
      }
      this.events?.transition(provider, api, model, to);
    } catch {
      // Logs and metrics never change what a request gets.
    }
  }
}
