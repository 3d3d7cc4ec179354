/** Allowlist entries for passthrough routes, written as `/v1/models/:id` or `/v1/conversations/*`. */
import type { PassthroughRule } from './types';

/** `:param` matches one path segment; a trailing `/*` matches the path itself and anything below it. */
export function passthroughRule(methods: readonly string[], pattern: string): PassthroughRule {
  const below = pattern.endsWith('/*');
  const base = below ? pattern.slice(0, -2) : pattern;
  const source = base.split('/').map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
  const regex = new RegExp(`^${source}${below ? '(?:/.*)?' : ''}/?$`);
  return { methods: new Set(methods), pattern, matches: (path) => regex.test(path) };
}
