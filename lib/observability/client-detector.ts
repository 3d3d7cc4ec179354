/** Names the AI client behind a request and reads its session id, from rules compiled once at bridge creation. */
import type { IncomingHttpHeaders } from 'node:http';
import { OptionsError, isPlainObject } from '../options-check';
import { COMMON_SESSION_HEADERS, DEFAULT_CLIENT_RULES, type ClientRule, type SessionFromBody } from './clients';

/** Longest session id recorded, in characters; a longer one is cut (the same prefix every time, so it still groups). */
export const MAX_SESSION_ID_LENGTH = 128;
const CLIENT_NAME = /^[A-Za-z0-9._-]{1,64}$/;
// User-Agents remembered with the rule they matched: walking every pattern costs microseconds on each request.
const MAX_REMEMBERED_USER_AGENTS = 512;
const MAX_REMEMBERED_USER_AGENT = 512;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Printable ASCII without spaces at either end; anything else (control bytes, latin-1 from raw headers) is refused.
const PRINTABLE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/** Who sent a request, as far as the rules tell. */
export interface DetectedClient {
  client: string | undefined;
  sessionId: string | undefined;
}

interface CompiledRule {
  name: string;
  userAgent: RegExp | undefined;
  headers: ReadonlyArray<readonly [string, RegExp | undefined]>;
  sessionHeaders: readonly string[];
  sessionFromBody: SessionFromBody | undefined;
}

/** A regex that keeps no state between tests (`g`/`y` would make `test()` depend on the previous call). */
function stateless(re: RegExp): RegExp {
  return re.global || re.sticky ? new RegExp(re.source, re.flags.replace(/[gy]/g, '')) : re;
}

function compile(rule: ClientRule): CompiledRule {
  const sessionHeaders = (rule.sessionHeaders ?? []).map((h) => h.toLowerCase());
  for (const h of COMMON_SESSION_HEADERS) if (!sessionHeaders.includes(h)) sessionHeaders.push(h);
  return {
    name: rule.name,
    userAgent: rule.userAgent && stateless(rule.userAgent),
    headers: Object.entries(rule.headers ?? {}).map(([name, test]) => [name.toLowerCase(), test === true ? undefined : stateless(test)] as const),
    sessionHeaders,
    sessionFromBody: rule.sessionFromBody,
  };
}

/** A header's value as one string; a repeated header (an array) is ambiguous and is not used. */
function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return typeof v === 'string' ? v : undefined;
}

/** `value` when it is a usable session id: printable, trimmed, cut to the cap. */
export function boundedSessionId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Bounded before testing, so a huge header costs no more than a small one.
  const v = value.slice(0, MAX_SESSION_ID_LENGTH * 2).trim().slice(0, MAX_SESSION_ID_LENGTH).trimEnd();
  return PRINTABLE.test(v) ? v : undefined;
}

/** The detection the bridge runs once per request: first matching rule, then its session headers, then the body. */
export class ClientDetector {
  private readonly rules: readonly CompiledRule[];
  private readonly commonSessionHeaders: readonly string[] = COMMON_SESSION_HEADERS;
  /** Indexes of the rules that have headers of their own, in order. */
  private readonly withHeaders: readonly number[];
  private readonly seen = new Map<string, number>();

  constructor(rules: readonly ClientRule[] = DEFAULT_CLIENT_RULES) {
    this.rules = rules.map(compile);
    this.withHeaders = this.rules.flatMap((r, i) => (r.headers.length > 0 ? [i] : []));
  }

  /** The client and session of a request; `body` is the already parsed JSON body, when there is one. */
  detect(headers: IncomingHttpHeaders, body?: unknown): DetectedClient {
    const rule = this.match(headers);
    let sessionId: string | undefined;
    for (const name of rule ? rule.sessionHeaders : this.commonSessionHeaders) {
      sessionId = boundedSessionId(headerValue(headers, name));
      if (sessionId !== undefined) break;
    }
    if (sessionId === undefined && rule?.sessionFromBody && isPlainObject(body)) {
      try {
        sessionId = boundedSessionId(rule.sessionFromBody(body));
      } catch {
        // A host's reader failing is no reason to fail the request: the session is left out.
      }
    }
    return { client: rule?.name, sessionId };
  }

  /** The client of a request alone (what metrics and spans label it with): no session, nothing allocated. */
  client(headers: IncomingHttpHeaders): string | undefined {
    return this.match(headers)?.name;
  }

  private match(headers: IncomingHttpHeaders): CompiledRule | undefined {
    const userAgent = headerValue(headers, 'user-agent');
    const rules = this.rules;
    const byUserAgent = userAgent === undefined ? rules.length : this.userAgentMatch(userAgent);
    // A rule before the User-Agent's may still claim the request by a header of its own.
    for (const i of this.withHeaders) {
      if (i >= byUserAgent) break;
      for (const [name, test] of rules[i].headers) {
        const v = headerValue(headers, name);
        if (v !== undefined && (test === undefined || test.test(v))) return rules[i];
      }
    }
    return rules[byUserAgent];
  }

  /** The index of the first rule whose pattern matches `userAgent` (the rule count when none), remembered per User-Agent. */
  private userAgentMatch(userAgent: string): number {
    const known = this.seen.get(userAgent);
    if (known !== undefined) return known;
    let i = 0;
    while (i < this.rules.length && !this.rules[i].userAgent?.test(userAgent)) i++;
    if (userAgent.length <= MAX_REMEMBERED_USER_AGENT) {
      // Clients send few distinct User-Agents; a flood of made-up ones only costs the full walk, never memory.
      if (this.seen.size >= MAX_REMEMBERED_USER_AGENTS) this.seen.clear();
      this.seen.set(userAgent, i);
    }
    return i;
  }
}

/** The default detector, for code that has no bridge options at hand. */
export const defaultClientDetector = new ClientDetector();

/** Options of the bridge's client detection (`createBridge({ clients })`). */
export interface ClientsOptions {
  /**
   * Rules tried before the built-in ones ({@link DEFAULT_CLIENT_RULES}), so a host can name its own tools or
   * override how a known one is recognised. Defaults to `[]`.
   */
  extra?: ClientRule[];
}

const RULE_KEYS = ['name', 'userAgent', 'headers', 'sessionHeaders', 'sessionFromBody'];

function checkRule(owner: string, rule: unknown, at: string): ClientRule {
  if (!isPlainObject(rule)) throw new OptionsError(owner, at, 'must be an object ({ name, userAgent?, headers?, sessionHeaders?, sessionFromBody? }).');
  const unknown = Object.keys(rule).find((k) => !RULE_KEYS.includes(k));
  if (unknown !== undefined) throw new OptionsError(owner, `${at}.${unknown}`, `is not a known option (known: ${RULE_KEYS.join(', ')}).`);
  const { name, userAgent, headers, sessionHeaders, sessionFromBody } = rule;
  if (typeof name !== 'string' || !CLIENT_NAME.test(name)) throw new OptionsError(owner, `${at}.name`, 'must be 1–64 characters of letters, digits, ".", "_" or "-".');
  if (userAgent !== undefined && !(userAgent instanceof RegExp)) throw new OptionsError(owner, `${at}.userAgent`, 'must be a RegExp.');
  if (headers !== undefined) {
    if (!isPlainObject(headers)) throw new OptionsError(owner, `${at}.headers`, 'must be an object of header names to `true` or a RegExp.');
    for (const [h, test] of Object.entries(headers)) {
      if (!HEADER_NAME.test(h) || (test !== true && !(test instanceof RegExp))) {
        throw new OptionsError(owner, `${at}.headers`, `must map HTTP header names to \`true\` or a RegExp (bad entry "${h}").`);
      }
    }
  }
  if (userAgent === undefined && (headers === undefined || Object.keys(headers).length === 0)) {
    throw new OptionsError(owner, at, 'must have a `userAgent` or at least one entry in `headers`, or it can never match.');
  }
  if (sessionHeaders !== undefined && (!Array.isArray(sessionHeaders) || sessionHeaders.some((h) => typeof h !== 'string' || !HEADER_NAME.test(h)))) {
    throw new OptionsError(owner, `${at}.sessionHeaders`, 'must be an array of HTTP header names.');
  }
  if (sessionFromBody !== undefined && typeof sessionFromBody !== 'function') throw new OptionsError(owner, `${at}.sessionFromBody`, 'must be a function (body) => string | undefined.');
  return rule as unknown as ClientRule;
}

/** Validates `createBridge({ clients })` once and builds its detector (the shared default one when nothing is added). */
export function clientDetectorFor(owner: string, options: unknown): ClientDetector {
  if (options === undefined) return defaultClientDetector;
  if (!isPlainObject(options)) throw new OptionsError(owner, 'clients', 'must be an object ({ extra: [rules] }).');
  const unknown = Object.keys(options).find((k) => k !== 'extra');
  if (unknown !== undefined) throw new OptionsError(owner, `clients.${unknown}`, 'is not a known option (known: extra).');
  const extra = options.extra;
  if (extra === undefined) return defaultClientDetector;
  if (!Array.isArray(extra)) throw new OptionsError(owner, 'clients.extra', 'must be an array of client rules.');
  if (extra.length === 0) return defaultClientDetector;
  return new ClientDetector([...extra.map((r, i) => checkRule(owner, r, `clients.extra[${i}]`)), ...DEFAULT_CLIENT_RULES]);
}

/** The session id the default rules read from `headers` alone. */
export function clientSessionId(headers: IncomingHttpHeaders): string | undefined {
  return defaultClientDetector.detect(headers).sessionId;
}
