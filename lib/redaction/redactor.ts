/** The one redaction rule: every credential's secrets (and a request's BYOK key) become their hint, in text, bytes and record values, JSON escapes included. */
import { maskKey } from './key-mask';
import { originalOffset, unescapedView } from './json-escapes';

/**
 * Keys shorter than this are not searched for: real provider keys are 30+ characters, and searching every answer
 * for a short one (`sk-a`) would rewrite ordinary text ("risk-assessment") in successful answers.
 */
export const MIN_REDACTED_KEY_LENGTH = 8;
/** Bytes of a key's start searched first: keys of one provider share it (`sk-proj-`), so one search serves all. */
const ANCHOR_BYTES = 6;
/** Deeper record values are checked as JSON text as a whole (a hostile model's arguments may nest without end). */
const MAX_DEPTH = 32;
/** What a too-deep value that quotes a key is replaced with. */
export const TOO_DEEP = '[redacted: nested too deeply to scan]';

interface KeyEntry {
  readonly key: string;
  readonly hint: string;
}

/** What the rule needs of a credential: the strings to redact and the hint they become (a pool entry, a refreshed token). */
export interface RedactedCredential {
  readonly hint: string;
  readonly secrets: readonly string[];
}

/** Credentials learned at runtime (refreshed tokens) are kept per id for this many refreshes: a late echo of an old one is still caught. */
const LEARNED_PER_ID = 4;

const BACKSLASH_U = Buffer.from('\\u');
/** Bytes of the longest escape of one key character (`\u0073`). */
const ESCAPED_CHAR_BYTES = 6;

/** Bound to one request's BYOK key: what every output stage of that request calls. */
export interface KeyScrub {
  text(s: string): string;
  bytes(b: Buffer): Buffer;
  value<T>(v: T): T;
  /**
   * False when `b` surely quotes no key (plainly or escaped): the cheap test `bytes` starts with. A substring test,
   * so false for bytes means false for every part of them.
   */
  mayHold(b: Buffer): boolean;
  /**
   * The most bytes one key can span in an answer (every character written as a `\uXXXX` escape): a body relayed in
   * pieces keeps this many bytes minus one back, so that a key cut between two pieces is still found whole.
   */
  span(): number;
}

/**
 * Built once at bridge creation from every provider's credentials (a tool or an upstream may quote any of them), and
 * taught at runtime the secrets of credentials obtained later ({@link learn}, e.g. a refreshed token) without being
 * rebuilt per request. `text`, `bytes` and `value` are the only ways anything in the bridge redacts; each also masks
 * `byok`, the request's own client key, when given. Bytes with no key start and no `\u` escape are returned
 * untouched, after one `Buffer.indexOf` per distinct key start and one for `\u`.
 */
export class Redactor {
  private readonly fixed: readonly KeyEntry[];
  private readonly learned = new Map<string, KeyEntry[][]>();
  private keys: readonly KeyEntry[] = [];
  private anchors: readonly Buffer[] = [];
  /** The start all keys share (`sk-`), when they share one of 2+ bytes: one search then stands for all anchors. */
  private prefix: Buffer | undefined;
  /** A backslash may hide a key only when some key has a character JSON escapes short (`/`, `"`…) or via `\u`. */
  private shortEscapes = false;
  /** Bumped when the keys change, so that a request's scrub recomputes what it derived from them. */
  private generation = 0;
  private poolScrub: KeyScrub | undefined;

  /** The same starts as text, for {@link mayHoldText}. */
  private textAnchors: readonly string[] = [];
  /** The longest key's {@link KeyScrub.span}. */
  private longest = 0;

  /** `credentials`: static keys (each hinted `maskKey(key)`) or credentials (each secret hinted by its credential's hint). */
  constructor(credentials: ReadonlyArray<string | RedactedCredential>) {
    this.fixed = credentials.flatMap((c) => (typeof c === 'string' ? [{ key: c, hint: maskKey(c) }] : c.secrets.map((key) => ({ key, hint: c.hint }))));
    this.index();
  }

  /**
   * Adds a credential's secrets to the rule (a token obtained or refreshed at runtime), before it is used. Cheap when
   * they are known already; otherwise the search tables are rebuilt once, here, never per request. The last
   * {@link LEARNED_PER_ID} credentials of each `id` are kept.
   */
  learn(credential: RedactedCredential & { readonly id: string }): void {
    const fresh = credential.secrets.filter((key) => key.length >= MIN_REDACTED_KEY_LENGTH && !this.keys.some((k) => k.key === key));
    if (fresh.length === 0) return;
    const kept = this.learned.get(credential.id) ?? [];
    kept.push(fresh.map((key) => ({ key, hint: credential.hint })));
    if (kept.length > LEARNED_PER_ID) kept.shift();
    this.learned.set(credential.id, kept);
    this.index();
  }

  /** Drops the secrets learned under `id` (a credential no longer used anywhere); the search tables are rebuilt once. */
  forget(id: string): void {
    if (this.learned.delete(id)) this.index();
  }

  private index(): void {
    const all = [...this.fixed, ...[...this.learned.values()].flat(2)];
    const seen = new Set<string>();
    const usable = all.filter((k) => k.key.length >= MIN_REDACTED_KEY_LENGTH && !seen.has(k.key) && seen.add(k.key));
    // Longest first, so a key that contains another is replaced whole.
    this.keys = usable.sort((a, b) => b.key.length - a.key.length);
    const anchors = new Set(usable.map((k) => k.key.slice(0, ANCHOR_BYTES)));
    this.anchors = [...anchors].map((a) => Buffer.from(a, 'utf8'));
    const shared = commonPrefix([...anchors]);
    this.prefix = this.anchors.length > 1 && shared.length >= 2 ? Buffer.from(shared, 'utf8') : undefined;
    this.shortEscapes = usable.some((k) => hasShortEscape(k.key));
    this.textAnchors = this.prefix ? [shared] : [...anchors];
    this.longest = Math.max(0, ...usable.map((k) => keySpan(k.key)));
    this.generation++;
  }

  /** This request's scrub: the pool keys plus `byok`. Without a BYOK key, one scrub made once serves every request. */
  forRequest(byok?: string): KeyScrub {
    const own = byok && byok.length >= MIN_REDACTED_KEY_LENGTH ? byok : undefined;
    if (!own) return (this.poolScrub ??= this.scrubFor(undefined));
    return this.scrubFor(own);
  }

  private scrubFor(own: string | undefined): KeyScrub {
    // A BYOK key starting like the pool keys is found by their search; another needs its own (made once per key set).
    let needle: Buffer | undefined;
    let generation = -1;
    return {
      text: (s) => this.text(s, own),
      bytes: (b) => {
        if (own !== undefined && generation !== this.generation) {
          generation = this.generation;
          needle = this.prefix && own.startsWith(this.prefix.toString('utf8')) ? undefined : Buffer.from(own, 'utf8');
        }
        return this.mayHold(b, needle, own) ? this.rewrite(b, own) : b;
      },
      value: (v) => this.value(v, own),
      mayHold: (b) => this.mayHold(b, needle, own),
      span: () => Math.max(this.longest, own === undefined ? 0 : keySpan(own)),
    };
  }

  /** `s` with every key replaced by its hint, whether written plainly or with JSON escapes. */
  text(s: string, byok?: string): string {
    // The same cheap test as for bytes first: records carry whole prompts, and most hold no key.
    if (!this.mayHoldText(s, byok)) return s;
    const keys = this.withByok(byok);
    let out = s;
    for (const { key, hint } of keys) if (out.includes(key)) out = out.split(key).join(hint);
    return out.includes('\\') ? redactEscaped(out, keys) : out;
  }

  /** Like {@link text} for bytes; returns `b` itself when nothing matched (the usual case, kept byte-identical). */
  bytes(b: Buffer, byok?: string): Buffer {
    const own = byok && byok.length >= MIN_REDACTED_KEY_LENGTH ? byok : undefined;
    return this.mayHold(b, own ? Buffer.from(own, 'utf8') : undefined, own) ? this.rewrite(b, own) : b;
  }

  private rewrite(b: Buffer, byok: string | undefined): Buffer {
    const s = b.toString('utf8');
    const out = this.text(s, byok);
    return out === s ? b : Buffer.from(out, 'utf8');
  }

  /** A record or log value with every string (and property name) redacted; the same object when nothing changed. */
  value<T>(v: T, byok?: string): T {
    return this.walk(v, byok, 0) as T;
  }

  /** {@link value} for a record: its own field names are the bridge's and are not scanned (nested ones are). */
  record<T>(v: T, byok?: string): T {
    return this.walk(v, byok, 0, true) as T;
  }

  private walk(v: unknown, byok: string | undefined, depth: number, ownNames = false): unknown {
    if (typeof v === 'string') return this.text(v, byok);
    if (!v || typeof v !== 'object') return v;
    if (depth >= MAX_DEPTH) return this.tooDeep(v, byok);
    if (v instanceof Error) {
      const message = this.text(v.message, byok);
      const stack = v.stack === undefined ? undefined : this.text(v.stack, byok);
      if (message === v.message && stack === v.stack) return v;
      const copy = new Error(message);
      copy.name = v.name;
      copy.stack = stack;
      return copy;
    }
    if (Array.isArray(v)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const item = this.walk(v[i], byok, depth + 1);
        if (item !== v[i]) (copy ??= [...v])[i] = item;
      }
      return copy ?? v;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return v; // Dates, Buffers…: no key text of their own
    let copy: Record<string, unknown> | undefined;
    const object = v as Record<string, unknown>;
    // A record's own field names are the bridge's; nested objects (tool arguments, metadata) are anyone's.
    const namesAreOurs = ownNames && depth === 0;
    for (const name in object) {
      if (!Object.hasOwn(object, name)) continue;
      const item = object[name];
      const safeName = namesAreOurs ? name : this.text(name, byok);
      const safeItem = typeof item === 'string' ? this.text(item, byok) : item && typeof item === 'object' ? this.walk(item, byok, depth + 1) : item;
      if (safeName === name && safeItem === item) continue;
      copy ??= { ...(v as Record<string, unknown>) };
      if (safeName !== name) delete copy[name];
      copy[safeName] = safeItem;
    }
    return copy ?? v;
  }

  private tooDeep(v: object, byok: string | undefined): unknown {
    try {
      const json = JSON.stringify(v);
      return json === undefined || this.text(json, byok) === json ? v : TOO_DEEP;
    } catch {
      return TOO_DEEP; // too deep even to write as JSON: it cannot be shown safely
    }
  }

  private withByok(byok: string | undefined): readonly KeyEntry[] {
    if (!byok || byok.length < MIN_REDACTED_KEY_LENGTH) return this.keys;
    return [{ key: byok, hint: maskKey(byok) }, ...this.keys];
  }

  /**
   * Whether `b` may hold a key: the cheap test every relayed event and body goes through. Usually two native
   * searches (the keys' shared start, `\u`); `needle` is a BYOK key the shared start does not cover.
   */
  private mayHold(b: Buffer, needle: Buffer | undefined, byok: string | undefined): boolean {
    if (this.prefix) {
      if (b.indexOf(this.prefix) !== -1) return true; // rare in text ("disk-"); the rewrite then decides
    } else {
      for (const anchor of this.anchors) if (b.indexOf(anchor) !== -1) return true;
    }
    if (b.indexOf(BACKSLASH_U) !== -1) return true;
    if (needle && b.indexOf(needle) !== -1) return true;
    return (this.shortEscapes || (!!byok && hasShortEscape(byok))) && b.includes(0x5c);
  }

  /** {@link mayHold} for text: a key start, a `\u` escape, the BYOK key, or a backslash when a key has a short escape. */
  private mayHoldText(s: string, byok: string | undefined): boolean {
    for (const anchor of this.textAnchors) if (s.includes(anchor)) return true;
    if (s.includes('\\u')) return true;
    if (byok && byok.length >= MIN_REDACTED_KEY_LENGTH && s.includes(byok)) return true;
    return (this.shortEscapes || (!!byok && hasShortEscape(byok))) && s.includes('\\');
  }
}

function keySpan(key: string): number {
  return key.length * ESCAPED_CHAR_BYTES;
}

function commonPrefix(texts: readonly string[]): string {
  let prefix = texts[0] ?? '';
  for (const t of texts) while (!t.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

function hasShortEscape(key: string): boolean {
  return /["\\/\b\f\n\r\t]/.test(key);
}

/** Replaces keys that only appear once JSON escapes are decoded, cutting the escaped spans of the original text. */
function redactEscaped(text: string, keys: readonly KeyEntry[]): string {
  const view = unescapedView(text);
  if (!view) return text;
  const spans: Array<{ start: number; end: number; hint: string }> = [];
  for (const { key, hint } of keys) {
    for (let at = view.decoded.indexOf(key); at !== -1; at = view.decoded.indexOf(key, at + key.length)) {
      spans.push({ start: originalOffset(view, at), end: originalOffset(view, at + key.length), hint });
    }
  }
  if (spans.length === 0) return text;
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let pos = 0;
  for (const span of spans) {
    if (span.start < pos) continue; // inside a longer key already replaced
    out += text.slice(pos, span.start) + span.hint;
    pos = span.end;
  }
  return out + text.slice(pos);
}
