/** The `routes` option of createBridge: model routes, validated once into rules per API with compiled patterns. */
import { OptionsError, isPlainObject, rejectUnknownKeys } from '../../options-check';
import type { BridgedProvider } from '../../providers/types';
import { anyOf, compileModelPattern, type ModelPattern } from './model-pattern';

/** One rule of a model route: which models it takes, and the providers that serve them, in the order they are tried. */
export interface ModelRouteRule {
  /**
   * The models the rule takes: a model name (`gpt-4o`) or a pattern where `*` stands for any run of characters
   * (`claude-*`, `*-mini`), or a list of them. Matched against the request's `model`, case-sensitively. Required.
   */
  model: string | string[];
  /**
   * Names of this bridge's providers, tried in this order: the next one only when the one before could not serve the
   * request before anything reached the client (all its keys cooling, its circuit open, its upstream unreachable).
   * Each needs a key pool (a route never forwards a client's own key), and they must bridge at least one API in
   * common: the rule serves the APIs all of them bridge. Required, at least one.
   */
  providers: string[];
}

/** A model route: one base URL per wire format whose requests go to a provider chosen by the model they name. */
export interface ModelRoute {
  /**
   * Its prefix, like a provider's: clients use `<mount>/<name>/v1` (OpenAI SDKs) or `<mount>/<name>` (Anthropic SDKs).
   * `^[a-z0-9]+(-[a-z0-9]+)*$`, not the name of a provider nor of another route. Required.
   */
  name: string;
  /**
   * The rules, in order: a request goes by the first rule that serves the API it calls and whose `model` matches;
   * none → the API's `404` (`model_not_found`), sent nowhere. Required, at least one.
   */
  rules: ModelRouteRule[];
}

/** One rule as requests use it. */
export interface RouteRule {
  readonly matches: ModelPattern;
  /** Provider names, in the order they are tried. */
  readonly providers: readonly string[];
}

/** A validated route. */
export interface ModelRouteConfig {
  readonly name: string;
  /** Per API route path served (`/v1/messages`), the rules serving it, in order. */
  readonly byApi: ReadonlyMap<string, readonly RouteRule[]>;
}

const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const MAX_PATTERN_CHARS = 256;
const MAX_RULES = 1_000;

/** Validates the `routes` option against the bridge's providers; `[]` when there are none. */
export function normalizeModelRoutes(owner: string, routes: unknown, providers: readonly BridgedProvider[]): ModelRouteConfig[] {
  if (routes === undefined) return [];
  if (!Array.isArray(routes)) throw new OptionsError(owner, 'routes', 'must be an array of routes ({ name, rules: [{ model, providers }] }).');
  const byName = new Map(providers.map((p) => [p.name, p]));
  const names = new Set<string>();
  return routes.map((route: unknown, i) => {
    const at = `routes[${i}]`;
    if (!isPlainObject(route)) throw new OptionsError(owner, at, 'must be an object ({ name, rules }).');
    rejectUnknownKeys(owner, route, ['name', 'rules'], `${at}.`);
    const { name, rules } = route;
    if (typeof name !== 'string' || !NAME.test(name)) throw new OptionsError(owner, `${at}.name`, 'must match ^[a-z0-9]+(-[a-z0-9]+)*$ (e.g. "auto").');
    if (byName.has(name)) throw new OptionsError(owner, `${at}.name`, `is the name of a provider ("${name}"); a route needs a prefix of its own.`);
    if (names.has(name)) throw new OptionsError(owner, `${at}.name`, `is the name of another route ("${name}"); give each its own.`);
    names.add(name);
    if (!Array.isArray(rules) || rules.length === 0 || rules.length > MAX_RULES) {
      throw new OptionsError(owner, `${at}.rules`, `must be an array of 1 to ${MAX_RULES} rules ({ model, providers }).`);
    }
    const byApi = new Map<string, RouteRule[]>();
    rules.forEach((rule: unknown, j) => {
      const { matches, providers: served, apis } = checkRule(rule, { owner, at: `${at}.rules[${j}]`, byName });
      for (const api of apis) {
        const list = byApi.get(api) ?? [];
        list.push({ matches, providers: served });
        byApi.set(api, list);
      }
    });
    return { name, byApi };
  });
}

/** Where a rule sits, for the errors that name it, and the providers it may name. */
interface RuleScope {
  readonly owner: string;
  /** The option's path, `routes[0].rules[1]`. */
  readonly at: string;
  readonly byName: ReadonlyMap<string, BridgedProvider>;
}

function checkRule(rule: unknown, { owner, at, byName }: RuleScope): RouteRule & { apis: string[] } {
  if (!isPlainObject(rule)) throw new OptionsError(owner, at, 'must be an object ({ model, providers }).');
  rejectUnknownKeys(owner, rule, ['model', 'providers'], `${at}.`);
  const patterns = typeof rule.model === 'string' ? [rule.model] : rule.model;
  if (!Array.isArray(patterns) || patterns.length === 0 || patterns.some((p) => typeof p !== 'string' || p === '' || p.length > MAX_PATTERN_CHARS)) {
    throw new OptionsError(owner, `${at}.model`, `must be a model name or pattern (\`*\` for any characters, e.g. "claude-*"), or a non-empty array of them, each 1 to ${MAX_PATTERN_CHARS} characters.`);
  }
  const names = rule.providers;
  if (!Array.isArray(names) || names.length === 0) throw new OptionsError(owner, `${at}.providers`, 'must be a non-empty array of provider names, in the order they are tried.');
  const chosen = names.map((name: unknown) => {
    const provider = typeof name === 'string' ? byName.get(name) : undefined;
    if (!provider) throw new OptionsError(owner, `${at}.providers`, `names ${JSON.stringify(name)}, which is not a provider of this bridge (${[...byName.keys()].join(', ')}).`);
    if (provider.credentials.entries.length === 0) {
      throw new OptionsError(owner, `${at}.providers`, `names "${provider.name}", which has no key pool: a route uses providers' pools only, never a client's own key.`);
    }
    return provider;
  });
  const duplicate = chosen.find((p, k) => chosen.indexOf(p) !== k);
  if (duplicate) throw new OptionsError(owner, `${at}.providers`, `names "${duplicate.name}" twice.`);
  const apis = chosen[0].apis.map((a) => a.route).filter((route) => chosen.every((p) => p.apis.some((a) => a.route === route)));
  if (apis.length === 0) {
    const served = chosen.map((p) => `${p.name}: ${p.apis.map((a) => a.route).join(', ') || 'none'}`).join('; ');
    throw new OptionsError(owner, `${at}.providers`, `must bridge at least one API in common (the same wire format), and these do not (${served}).`);
  }
  return { matches: anyOf(patterns.map((p: string) => compileModelPattern(p))), providers: chosen.map((p) => p.name), apis };
}
