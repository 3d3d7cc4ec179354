/** Model prices (USD per 1M tokens) and the cost estimate every UsageQuery result carries. */
import type { CostEstimate } from './usage-query';

/** Prices of one model in USD per 1M tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Cached input read. Defaults to `input`. */
  cacheRead?: number;
  /** Cache creation (Anthropic). Defaults to `input`. */
  cacheWrite?: number;
}

/** Model name (or name prefix) → price. */
export type PriceTable = Record<string, ModelPrice>;

/** The date the shipped {@link DEFAULT_PRICES} were taken from the providers' public price lists. */
export const PRICES_AS_OF = '2025-11-30';

/**
 * Shipped list prices (USD per 1M tokens) as of {@link PRICES_AS_OF}. Estimates: providers change prices, and
 * discounts, batch and priority tiers or long-context surcharges are not modelled. Keys match exactly or as the
 * longest prefix of a model name, so dated snapshots (`gpt-4o-2024-08-06`, `claude-sonnet-4-20250514`) are priced.
 */
export const DEFAULT_PRICES: Readonly<PriceTable> = Object.freeze({
  'gpt-5': { input: 1.25, output: 10, cacheRead: 0.125 },
  'gpt-5-mini': { input: 0.25, output: 2, cacheRead: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cacheRead: 0.005 },
  'gpt-5-pro': { input: 15, output: 120 },
  'gpt-4.1': { input: 2, output: 8, cacheRead: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cacheRead: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cacheRead: 0.025 },
  'gpt-4o': { input: 2.5, output: 10, cacheRead: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cacheRead: 0.075 },
  'gpt-3.5-turbo-instruct': { input: 1.5, output: 2 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },
  'o1': { input: 15, output: 60, cacheRead: 7.5 },
  'o1-mini': { input: 1.1, output: 4.4, cacheRead: 0.55 },
  'o1-pro': { input: 150, output: 600 },
  'o3': { input: 2, output: 8, cacheRead: 0.5 },
  'o3-mini': { input: 1.1, output: 4.4, cacheRead: 0.55 },
  'o3-pro': { input: 20, output: 80 },
  'o4-mini': { input: 1.1, output: 4.4, cacheRead: 0.275 },
  'claude-opus-4': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-opus-4-5': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-sonnet-4': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-haiku-4-5': { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  'claude-3-7-sonnet': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-3-5-sonnet': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 },
  'claude-3-opus': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-3-haiku': { input: 0.25, output: 1.25, cacheRead: 0.03, cacheWrite: 0.3 },
});

/** How a store prices usage: the `prices` and `defaultPrices` options every built-in store accepts. */
export interface PricingOptions {
  /** Prices merged over {@link DEFAULT_PRICES} (or replacing them, see `defaultPrices`). Defaults to none. */
  prices?: PriceTable;
  /** Whether the shipped {@link DEFAULT_PRICES} apply under `prices`; `false` prices only what `prices` lists. Defaults to true. */
  defaultPrices?: boolean;
}

/** Token sums of one model. */
export interface ModelTokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** Resolves model names to prices: exact name first, else the longest key that prefixes the name. */
export class Pricer {
  private readonly table: Map<string, Required<ModelPrice>>;
  private readonly byLength: string[];

  constructor(options: PricingOptions = {}, owner = 'prices') {
    const merged: PriceTable = { ...(options.defaultPrices === false ? {} : DEFAULT_PRICES), ...(options.prices ?? {}) };
    this.table = new Map();
    for (const [model, price] of Object.entries(merged)) this.table.set(model, checkPrice(owner, model, price));
    this.byLength = [...this.table.keys()].sort((a, b) => b.length - a.length);
  }

  /** The price of a model, or undefined when the table does not know it. */
  priceOf(model: string): Required<ModelPrice> | undefined {
    const exact = this.table.get(model);
    if (exact) return exact;
    const key = this.byLength.find((k) => model.startsWith(k));
    return key === undefined ? undefined : this.table.get(key);
  }

  /** The cost of per-model token sums. Models are summed in sorted order so every store gets the same float. */
  cost(perModel: Map<string, ModelTokens>): CostEstimate {
    let usd = 0;
    let unpricedTokens = 0;
    const unpricedModels: string[] = [];
    for (const model of [...perModel.keys()].sort()) {
      const t = perModel.get(model)!;
      const p = this.priceOf(model);
      if (p) {
        usd += (t.input * p.input + t.output * p.output + t.cacheRead * p.cacheRead + t.cacheWrite * p.cacheWrite) / 1e6;
      } else {
        const tokens = t.input + t.output + t.cacheRead + t.cacheWrite;
        // A model with no tokens costs nothing whatever its price, so it is not worth flagging.
        if (tokens > 0) {
          unpricedTokens += tokens;
          unpricedModels.push(model);
        }
      }
    }
    return { usd: roundUsd(usd), unpricedTokens, unpricedModels, estimate: true };
  }
}

/** Decimal places a cost keeps: 1e-10 USD is far below any price of one token, and far above float noise. */
const USD_DECIMALS = 10;

/** Rounds away float noise (`0.00018480000000000002` → `0.0001848`); every cost goes through here once. */
function roundUsd(usd: number): number {
  return Number(usd.toFixed(USD_DECIMALS));
}

function checkPrice(owner: string, model: string, price: ModelPrice): Required<ModelPrice> {
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  if (!price || !ok(price.input) || !ok(price.output) || (price.cacheRead !== undefined && !ok(price.cacheRead))
    || (price.cacheWrite !== undefined && !ok(price.cacheWrite))) {
    throw new TypeError(`${owner}: the price of "${model}" needs finite, non-negative input and output (and optional cacheRead, cacheWrite) in USD per 1M tokens`);
  }
  return { input: price.input, output: price.output, cacheRead: price.cacheRead ?? price.input, cacheWrite: price.cacheWrite ?? price.input };
}
