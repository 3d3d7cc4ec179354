/** Bounded label values: models normalised and capped, clients from a fixed set, HTTP codes in range. */

/** The label every value past a cap (or outside a fixed set) is counted under. */
export const OTHER = 'other';
const UNKNOWN = 'unknown';
const MAX_MODEL_CHARS = 64;
const NOT_MODEL_CHAR = /[^a-z0-9._:/@-]+/g;

/** Maps client-sent model names to at most `max` label values (the first ones seen), the rest to `other`. */
export class ModelLabels {
  private readonly labels = new Set<string>();
  /** Raw name → label, bounded too: hostile clients can send a new name with every request. */
  private readonly seen = new Map<string, string>();

  constructor(private readonly max: number) {}

  label(model: string | undefined): string {
    if (typeof model !== 'string' || model === '') return UNKNOWN;
    const known = this.seen.get(model);
    if (known !== undefined) return known;
    const normal = normalizeModel(model);
    let label = normal;
    if (!this.labels.has(normal)) {
      if (this.labels.size < this.max) this.labels.add(normal);
      else label = OTHER;
    }
    if (this.seen.size < this.max * 4) this.seen.set(model, label);
    return label;
  }
}

/** Lower case, at most 64 characters, anything but letters, digits and `._:/@-` replaced by `_`. */
export function normalizeModel(model: string): string {
  const normal = model.slice(0, MAX_MODEL_CHARS).toLowerCase().replace(NOT_MODEL_CHAR, '_');
  return normal === '' ? UNKNOWN : normal;
}

/** An HTTP status code as a label: `100`–`599`, else `other`. */
export function codeLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : OTHER;
}
