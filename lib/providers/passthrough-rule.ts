/** Allowlist entries for passthrough routes, written as `/v1/models/:id` or `/v1/conversations/*`. */
import type { NamedId } from '../ownership/stored-state';
import type { OwnedKind } from '../ownership/types';
import type { PassthroughRule } from './types';

/**
 * Stored state a route names or creates: `owns` is what its first `:param` names; `creates`, what its answer's `id`
 * is; `namedInBody`, what its request body names.
 */
export interface RuleOwnership {
  owns?: OwnedKind;
  creates?: OwnedKind;
  namedInBody?: (raw: Buffer) => NamedId[];
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** `:param` matches one path segment; a trailing `/*` matches the path itself and anything below it. */
export function passthroughRule(methods: readonly string[], pattern: string, ownership: RuleOwnership = {}): PassthroughRule {
  const below = pattern.endsWith('/*');
  const base = below ? pattern.slice(0, -2) : pattern;
  let captured = false;
  const source = base.split('/').map((seg) => {
    if (!seg.startsWith(':')) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // Only the first parameter is captured: it is the one that names the stored state.
    const group = captured ? '[^/]+' : '([^/]+)';
    captured = true;
    return group;
  }).join('/');
  const regex = new RegExp(`^${source}${below ? '(?:/.*)?' : ''}/?$`);
  const rule: PassthroughRule = { methods: new Set(methods), pattern, matches: (path) => regex.test(path), creates: ownership.creates };
  if (ownership.namedInBody) rule.namedInBody = ownership.namedInBody;
  const kind = ownership.owns;
  if (kind) {
    rule.owned = (path) => {
      const segment = regex.exec(path)?.[1];
      // The upstream decodes the path: `resp%5F1` names `resp_1`. Undecodable → an id no one owns.
      const id = segment === undefined ? undefined : decoded(segment) ?? segment;
      return id === undefined ? undefined : { kind, id };
    };
  }
  return rule;
}
