/** What records keep of the content a client, a model or a tool wrote: whole, masked, hashed, or nothing (`recordContent`). */
import { createHmac } from 'node:crypto';
import { maskSecretsAndEmails } from '../redaction/mask-secrets';

/**
 * `full`: content as it came; `redacted`: e-mail addresses and key-looking strings masked ({@link maskSecretsAndEmails});
 * `hashed`: a salted SHA-256 of each text and its length; `none`: no content, only its length.
 */
export type ContentMode = 'full' | 'redacted' | 'hashed' | 'none';

export const CONTENT_MODES: readonly ContentMode[] = ['full', 'redacted', 'hashed', 'none'];

/** The content texts of each record method (tool arguments are handled apart: they need not be a string). */
const CONTENT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  recordPromptUsage: ['prompt'],
  recordToolUsage: ['invocationError'],
  recordModelThought: ['content'],
};

/** Deeper argument values are masked as their JSON text as a whole. */
const MAX_DEPTH = 32;

/** Applies one mode to the records of an interception; the `full` mode has none (records pass as they are). */
export interface ContentShaper {
  readonly mode: ContentMode;
  /** `record` with its content shaped: a copy, or the same object when it has no content. */
  shape(what: string, record: object): object;
}

/** The shaper of each mode, made once per bridge: `salt` keys the hashes (the same text hashes alike within one salt). */
export function contentShapers(salt: string): Readonly<Record<ContentMode, ContentShaper | undefined>> {
  const hash = (text: string) => `sha256:${createHmac('sha256', salt).update(text, 'utf8').digest('hex')}`;
  return {
    full: undefined,
    redacted: shaper('redacted', (text) => ({ text: maskSecretsAndEmails(text) }), (args) => maskDeep(args, 0)),
    hashed: shaper('hashed', (text) => ({ text: hash(text), bytes: Buffer.byteLength(text, 'utf8') })),
    none: shaper('none', (text) => ({ text: '', bytes: Buffer.byteLength(text, 'utf8') })),
  };
}

type TextRule = (text: string) => { text: string; bytes?: number };

/**
 * A shaper applying `rule` to each content text; tool arguments go through `args` when given, else through `rule`
 * as their JSON text (the stored arguments then become that string, and `extra.argsBytes` their original size).
 */
function shaper(mode: ContentMode, rule: TextRule, args?: (v: unknown) => unknown): ContentShaper {
  return {
    mode,
    shape(what, record) {
      const fields = CONTENT_FIELDS[what];
      if (!fields) return record;
      const r = record as Record<string, unknown>;
      const out: Record<string, unknown> = { ...r };
      let extra: Record<string, unknown> | undefined;
      const sized = (field: string, bytes: number | undefined) => {
        if (bytes !== undefined) (extra ??= { ...(r.extra as Record<string, unknown> | undefined) })[`${field}Bytes`] = bytes;
      };
      for (const field of fields) {
        const v = r[field];
        if (typeof v !== 'string') continue;
        const shaped = rule(v);
        out[field] = shaped.text;
        sized(field, shaped.bytes);
      }
      if (what === 'recordToolUsage' && r.args !== undefined) {
        if (args) {
          out.args = args(r.args);
        } else {
          const shaped = rule(typeof r.args === 'string' ? r.args : jsonText(r.args));
          out.args = shaped.text;
          sized('args', shaped.bytes);
        }
      }
      if (extra) out.extra = extra;
      return out;
    },
  };
}

function jsonText(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

/** `v` with every string in it masked (keys of objects kept). */
function maskDeep(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return maskSecretsAndEmails(v);
  if (!v || typeof v !== 'object') return v;
  if (depth >= MAX_DEPTH) return maskSecretsAndEmails(jsonText(v));
  if (Array.isArray(v)) return v.map((item) => maskDeep(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, item] of Object.entries(v)) out[k] = maskDeep(item, depth + 1);
  return out;
}
