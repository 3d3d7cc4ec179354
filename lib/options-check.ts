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

/** Throws on keys the factory does not know (usually a typo that would otherwise be silently ignored). */
export function rejectUnknownKeys(owner: string, options: Record<string, unknown>, known: readonly string[], prefix = ''): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new OptionsError(owner, prefix + key, `is not a known option (known: ${known.join(', ')}).`);
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
