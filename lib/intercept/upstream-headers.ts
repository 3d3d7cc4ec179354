/** The headers a bridged request carries upstream: the client's (filtered), JSON framing, optional actor identity. */
import type { IncomingHttpHeaders } from 'node:http';
import { forwardableRequestHeaders } from '../upstream/headers';
import type { Actor } from './actor';

function headerValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v.replace(/[\r\n]/g, ' ');
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Client headers to forward, plus `x-aibridge-actor-*` when the provider asks for them. */
export function upstreamHeaders(headers: IncomingHttpHeaders, actor: Actor, withActor: boolean): Record<string, string | string[]> {
  const out = forwardableRequestHeaders(headers);
  out['content-type'] = 'application/json';
  if (withActor) {
    out['x-aibridge-actor-id'] = actor.id;
    for (const [k, v] of Object.entries(actor.metadata ?? {})) {
      const value = headerValue(v);
      if (value !== undefined && /^[a-zA-Z0-9_-]+$/.test(k)) out[`x-aibridge-actor-metadata-${k.toLowerCase()}`] = value;
    }
  }
  return out;
}
