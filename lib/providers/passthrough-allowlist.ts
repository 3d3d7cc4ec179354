/** A provider's passthrough allowlist from its defaults and the host's `passthrough` option, validated once at creation. */
import { OptionsError, isPlainObject } from '../options-check';
import type { OwnedKind } from '../ownership/types';
import { passthroughRule } from './passthrough-rule';
import type { PassthroughOption, PassthroughRule } from './types';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);
const OWNED = new Set<unknown>(['response', 'conversation', 'item', 'chat_completion', 'message_batch']);
// Segments of letters, digits and `._~-`, or `:param`; an optional trailing `/*`. No dot segments (checked below).
const PATTERN = /^(?:\/(?::[A-Za-z_][A-Za-z0-9_]*|[A-Za-z0-9._~-]+))+(?:\/\*)?$/;

function checkPattern(owner: string, option: string, pattern: unknown): asserts pattern is string {
  if (typeof pattern !== 'string' || pattern.length > 200 || !PATTERN.test(pattern) || /\/\.{1,2}(?:\/|$)/.test(pattern)) {
    throw new OptionsError(owner, option, 'must be a route path such as "/v1/files", "/v1/files/:id" or "/v1/vector_stores/*" (no dot segments, at most 200 characters).');
  }
}

function ruleOf(owner: string, option: string, spec: unknown): PassthroughRule {
  if (!isPlainObject(spec)) throw new OptionsError(owner, option, 'must be an object { methods, pattern, owns?, creates? }.');
  const unknown = Object.keys(spec).find((k) => !['methods', 'pattern', 'owns', 'creates'].includes(k));
  if (unknown !== undefined) throw new OptionsError(owner, `${option}.${unknown}`, 'is not an option; use methods, pattern, owns or creates.');
  const { methods, pattern, owns, creates } = spec;
  if (!Array.isArray(methods) || methods.length === 0 || !methods.every((m) => METHODS.has(m as string))) {
    throw new OptionsError(owner, `${option}.methods`, `must be a non-empty array of ${[...METHODS].join(', ')}.`);
  }
  checkPattern(owner, `${option}.pattern`, pattern);
  for (const [name, value] of [['owns', owns], ['creates', creates]] as const) {
    if (value !== undefined && !OWNED.has(value)) throw new OptionsError(owner, `${option}.${name}`, 'must be "response", "conversation", "item", "chat_completion" or "message_batch".');
  }
  if (owns !== undefined && !pattern.includes('/:')) throw new OptionsError(owner, `${option}.owns`, 'needs a `:param` in the pattern: it names what the route owns.');
  return passthroughRule(methods as string[], pattern, { owns: owns as OwnedKind | undefined, creates: creates as OwnedKind | undefined });
}

function isRule(rule: unknown): rule is PassthroughRule {
  const r = rule as PassthroughRule | null;
  return !!r && typeof r === 'object' && r.methods instanceof Set && typeof r.matches === 'function' && typeof r.pattern === 'string';
}

/** The allowlist of a provider: `defaults` changed by `option` (see {@link PassthroughOption}); throws naming what is wrong. */
export function passthroughAllowlist(owner: string, option: unknown, defaults: readonly PassthroughRule[]): readonly PassthroughRule[] {
  if (option === undefined) return defaults;
  if (typeof option === 'function') {
    const rules: unknown = option(defaults);
    if (!Array.isArray(rules) || !rules.every(isRule)) {
      throw new OptionsError(owner, 'passthrough', 'must return an array of rules (the defaults it was given, or passthroughRule(…) results).');
    }
    for (const rule of rules) checkPattern(owner, 'passthrough', rule.pattern);
    return Object.freeze([...rules]);
  }
  if (!isPlainObject(option)) throw new OptionsError(owner, 'passthrough', 'must be { add?, remove? } or a function (defaults) => rules.');
  const unknown = Object.keys(option).find((k) => k !== 'add' && k !== 'remove');
  if (unknown !== undefined) throw new OptionsError(owner, `passthrough.${unknown}`, 'is not an option; use add or remove.');
  const { add = [], remove = [] } = option as { add?: unknown; remove?: unknown };
  if (!Array.isArray(remove)) throw new OptionsError(owner, 'passthrough.remove', 'must be an array of route patterns.');
  const known = new Set(defaults.map((r) => r.pattern));
  remove.forEach((pattern, i) => {
    if (typeof pattern !== 'string' || !known.has(pattern)) {
      throw new OptionsError(owner, `passthrough.remove[${i}]`, `must be one of the provider's routes: ${[...known].join(', ')}.`);
    }
  });
  if (!Array.isArray(add)) throw new OptionsError(owner, 'passthrough.add', 'must be an array of { methods, pattern } routes.');
  const removed = new Set(remove as string[]);
  const added = add.map((spec, i) => ruleOf(owner, `passthrough.add[${i}]`, spec));
  return Object.freeze([...defaults.filter((r) => !removed.has(r.pattern)), ...added]);
}
