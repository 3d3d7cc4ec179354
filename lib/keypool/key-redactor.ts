/** Replaces any pool key that appears in text (an upstream echoing a key back) with its masked hint. */
import { maskKey } from './key-mask';

/**
 * Built once per provider from its pool keys. Only non-2xx bodies, error events and record fields go through it,
 * never the hot path of a successful answer.
 */
export class KeyRedactor {
  private readonly keys: ReadonlyArray<{ key: string; hint: string; bytes: Buffer }>;

  constructor(keys: readonly string[]) {
    // Longest first, so a key that contains another is replaced whole.
    this.keys = [...keys].sort((a, b) => b.length - a.length).map((key) => ({ key, hint: maskKey(key), bytes: Buffer.from(key, 'utf8') }));
  }

  /** `text` with every known key (plus `extra`, e.g. a BYOK key) replaced by its hint. */
  redact(text: string, extra?: string): string {
    let out = text;
    if (extra && extra.length >= 8 && out.includes(extra)) out = out.split(extra).join(maskKey(extra));
    for (const { key, hint } of this.keys) if (out.includes(key)) out = out.split(key).join(hint);
    return out;
  }

  /** Like {@link redact} for bytes; returns the same buffer when nothing matched (the usual case). */
  redactBuffer(body: Buffer, extra?: string): Buffer {
    let found = !!extra && extra.length >= 8 && body.includes(extra);
    for (let i = 0; !found && i < this.keys.length; i++) found = body.includes(this.keys[i].bytes);
    return found ? Buffer.from(this.redact(body.toString('utf8'), extra), 'utf8') : body;
  }
}
