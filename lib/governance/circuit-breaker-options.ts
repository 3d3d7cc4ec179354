/** The `circuitBreaker` option of createBridge: its public type, its defaults, and its validation. */
import { OptionsError, positiveIntGroup } from '../options-check';

/**
 * How the circuit breaker of each provider + API + model decides (`createBridge({ circuitBreaker })`). Every field is
 * optional; `circuitBreaker: true` takes them all at their defaults.
 */
export interface CircuitBreakerOptions {
  /** Counted upstream failures (503, 504, 529, connection errors and timeouts) within `windowMs` that open a circuit. Defaults to 5. */
  failures?: number;
  /**
   * Timeouts and `504`s count only while those within `windowMs` come from at least this many distinct actors: one
   * request can cause them by itself (a huge prompt, a long generation), and one actor alone must not open a model's
   * circuit for everybody. 503s, 529s and connection errors, which the upstream causes, count whoever asked. `1`
   * counts every timeout, as if actors did not matter. Defaults to 2.
   */
  minActors?: number;
  /** The window in which `failures` are counted, in ms. Defaults to 30,000 (30 s). */
  windowMs?: number;
  /** How long an open circuit refuses requests before it lets one probe request through (half-open), in ms. Defaults to 30,000 (30 s). */
  openMs?: number;
  /**
   * Most circuits kept (one per provider, API and model name, made on first use): past it the least recently used
   * closed circuit is forgotten, and while every circuit is open a new model is not tracked. Defaults to 200.
   */
  maxCircuits?: number;
}

export const CIRCUIT_BREAKER_DEFAULTS = {
  failures: 5,
  minActors: 2,
  windowMs: 30_000,
  openMs: 30_000,
  maxCircuits: 200,
};

/** The validated options; `undefined` when the breaker is off. */
export type CircuitBreakerConfig = typeof CIRCUIT_BREAKER_DEFAULTS;

/** Validates `circuitBreaker` (`true`, `false` or an object of positive integers), throwing an error that names the bad field. */
export function normalizeCircuitBreaker(owner: string, v: unknown): CircuitBreakerConfig | undefined {
  if (v === undefined || v === false) return undefined;
  if (v === true) return { ...CIRCUIT_BREAKER_DEFAULTS };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new OptionsError(owner, 'circuitBreaker', 'must be true, false or an object ({ failures?, minActors?, windowMs?, openMs?, maxCircuits? }).');
  }
  return positiveIntGroup(owner, 'circuitBreaker', v, CIRCUIT_BREAKER_DEFAULTS);
}
