/** Adds provider usage objects field by field (nested details included), for answers that cover several upstream calls. */

type Usage = Record<string, unknown>;

function isObject(v: unknown): v is Usage {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** A new object: numbers added, nested objects summed the same way, anything else taken from the later one. */
export function sumUsage(a: unknown, b: unknown): unknown {
  if (!isObject(a)) return b;
  if (!isObject(b)) return a;
  const out: Usage = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    if (typeof v === 'number' && typeof prev === 'number') out[k] = prev + v;
    else if (isObject(v) && isObject(prev)) out[k] = sumUsage(prev, v);
    else if (v !== null && v !== undefined) out[k] = v;
  }
  return out;
}

/** The sum of every usage object given (`undefined` when there is none). */
export function sumAll(usages: readonly unknown[]): unknown {
  return usages.reduce<unknown>((acc, u) => (acc === undefined ? u : sumUsage(acc, u)), undefined);
}
