/** Headers a request carries upstream besides the client's: JSON framing on bridged routes, the actor's identity. */
import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderRule } from './header-rule';
import type { Actor } from './actor';

/** Everything outside printable ASCII, and `%` itself, so that every value decodes with `decodeURIComponent`. */
const NEEDS_ENCODING = /[^\x20-\x24\x26-\x7e]/u;
const METADATA_KEY = /^[a-zA-Z0-9_-]+$/;

/**
 * An actor value as a header value that every HTTP stack accepts: printable ASCII is kept, anything else (non-ASCII
 * text as UTF-8, CR/LF and other control characters) and `%` are percent-encoded.
 */
export function encodeActorValue(value: string): string {
  if (!NEEDS_ENCODING.test(value)) return value;
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x20 && code <= 0x7e && ch !== '%') out += ch;
    else if (code >= 0xd800 && code <= 0xdfff) out += '%EF%BF%BD'; // a lone surrogate: U+FFFD, as UTF-8 would carry it
    else out += encodeURIComponent(ch);
  }
  return out;
}

function metadataValue(v: unknown): string | undefined {
  if (typeof v === 'string') return encodeActorValue(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Adds `x-aibridge-actor-id` and `x-aibridge-actor-metadata-<key>` (string, number and boolean values) to `out`. */
export function addActorHeaders(out: Record<string, string | string[]>, actor: Actor): void {
  out['x-aibridge-actor-id'] = encodeActorValue(actor.id);
  for (const [k, v] of Object.entries(actor.metadata ?? {})) {
    const value = metadataValue(v);
    if (value !== undefined && METADATA_KEY.test(k)) out[`x-aibridge-actor-metadata-${k.toLowerCase()}`] = value;
  }
}

/** A bridged request's headers: the client's that the rule lets through, JSON framing, and `actor`'s headers when given. */
export function upstreamHeaders(rule: HeaderRule, headers: IncomingHttpHeaders, actor: Actor | undefined): Record<string, string | string[]> {
  // The bridged body is always JSON the bridge parsed (and may have rewritten), never the client's encoded bytes.
  const out = rule.forward(headers, true);
  out['content-type'] = 'application/json';
  if (actor) addActorHeaders(out, actor);
  return out;
}
