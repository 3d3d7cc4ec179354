/** Validation of the `metrics` option, once, at creation; prom-client is loaded here only when metrics are asked for. */
import { OptionsError, isPlainObject, optionalBoolean, optionalPositiveInt, rejectUnknownKeys } from '../../options-check';
import type { MetricsOptions, MetricsRegistry } from './types';
import { loadOptionalPeer } from '../optional-peer';

export const METRICS_DEFAULTS = {
  prefix: 'aibridge_',
  maxModels: 50,
  actorLabel: false,
};

const KNOWN = ['registry', 'prefix', 'maxModels', 'actorLabel'] as const;
const PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$|^$/;

export interface MetricsConfig {
  /** The prom-client module (typed where it is used, so that no declaration the package ships names prom-client). */
  prom: object;
  registry: MetricsRegistry;
  prefix: string;
  maxModels: number;
  actorLabel: boolean;
}

/** Loads prom-client, or says which package is missing. */
export function loadPromClient(owner: string): object {
  return loadOptionalPeer(owner, 'metrics', 'prom-client') as object;
}

export function normalizeMetricsOptions(owner: string, v: unknown): MetricsConfig {
  if (!isPlainObject(v)) throw new OptionsError(owner, 'metrics', 'must be an object ({ registry?, prefix?, maxModels?, actorLabel? }).');
  rejectUnknownKeys(owner, v, KNOWN, 'metrics.');
  const options = v as MetricsOptions;
  const prefix = options.prefix ?? METRICS_DEFAULTS.prefix;
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) throw new OptionsError(owner, 'metrics.prefix', 'must be letters, digits and underscores, not starting with a digit (e.g. "aibridge_").');
  const registry = options.registry;
  if (registry !== undefined && (!registry || typeof registry.metrics !== 'function' || typeof registry.registerMetric !== 'function')) {
    throw new OptionsError(owner, 'metrics.registry', 'must be a prom-client Registry (new Registry(), or the default register).');
  }
  const prom = loadPromClient(owner);
  return {
    prom,
    registry: registry ?? ((prom as { register: unknown }).register as MetricsRegistry),
    prefix,
    maxModels: optionalPositiveInt(owner, 'metrics.maxModels', options.maxModels, METRICS_DEFAULTS.maxModels),
    actorLabel: optionalBoolean(owner, 'metrics.actorLabel', options.actorLabel, METRICS_DEFAULTS.actorLabel),
  };
}
