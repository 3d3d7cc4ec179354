/** Small validators for factory options: each failure names the option and says what is expected. */

export class OptionsError extends TypeError {
  constructor(owner: string, option: string, expected: string) {
    super(`${owner}: option \`${option}\` ${expected}`);
    this.name = 'OptionsError';
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Throws on keys the factory does not know (usually a typo that would otherwise be silently ignored), suggesting the
 * option it most likely meant: one of `aliases` (a name other libraries use, e.g. `url` → `connectionString`), or a
 * known name a couple of keystrokes away.
 */
export function rejectUnknownKeys(owner: string, options: Record<string, unknown>, known: readonly string[], prefix = '', aliases: Readonly<Record<string, string>> = {}): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const meant = Object.hasOwn(aliases, key) ? aliases[key] : closest(key, known);
    const hint = meant ? `; did you mean \`${prefix}${meant}\`?` : '';
    throw new OptionsError(owner, prefix + key, `is not a known option${hint} (known: ${known.join(', ')}).`);
  }
}

/** The known name within two edits of `key` (case-insensitive), or that `key` begins or ends; undefined when none. */
function closest(key: string, known: readonly string[]): string | undefined {
  const k = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of known) {
    const n = name.toLowerCase();
    const d = n.startsWith(k) || k.startsWith(n) ? 1 : editDistance(k, n, bestDistance);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once it cannot be below `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    if (Math.min(...row) >= limit) return limit;
    prev = row;
  }
  return Math.min(prev[b.length]!, limit);
}

/** Throws when two options that exclude each other are both given. */
export function rejectTogether(owner: string, options: Record<string, unknown>, first: string, second: string): void {
  if (options[first] !== undefined && options[second] !== undefined) {
    throw new OptionsError(owner, second, `cannot be given with \`${first}\`: give one of them.`);
  }
}

export function optionalBoolean(owner: string, name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new OptionsError(owner, name, 'must be a boolean.');
  return v;
}

export function optionalPositiveInt(owner: string, name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new OptionsError(owner, name, 'must be a positive integer.');
  return v;
}

/** A nested object of positive integers (timeouts, cooldowns), merged over its defaults. */
export function positiveIntGroup<T extends Record<string, number>>(owner: string, name: string, v: unknown, defaults: T): T {
  if (v === undefined) return { ...defaults };
  if (!isPlainObject(v)) throw new OptionsError(owner, name, 'must be an object.');
  rejectUnknownKeys(owner, v, Object.keys(defaults), `${name}.`);
  const out = { ...defaults };
  for (const key of Object.keys(defaults) as Array<keyof T & string>) {
    out[key] = optionalPositiveInt(owner, `${name}.${key}`, v[key], defaults[key]) as T[typeof key];
  }
  return out;
}
