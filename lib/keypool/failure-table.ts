/** Judging a 401/403/429 from the first bytes of its body: was it the key's failure or the request's own fault? */
import type { IncomingHttpHeaders } from 'node:http';

/**
 * What a refused attempt says about its key:
 * - `key_failure`: the key is unusable for now (real rate limit, invalid key, no quota): it cools down, the next key is tried.
 * - `request_fault`: this request caused it (too large, over the context length, a permission it lacks): relayed, no
 *   cooldown, no failover.
 * - `scope_fault`: a `request_fault` that names a scope the key lacks: relayed, no cooldown, no failover, and a warning
 *   names the key (the route's own scope, or one this request's content needed: the two cannot be told apart).
 * - `unclear`: could be either (a token rate limit that does not say whether the key was busy): the next key is tried,
 *   none is cooled, and the last answer is relayed when no key is left.
 */
export type FailureClass = 'key_failure' | 'request_fault' | 'scope_fault' | 'unclear';

/** The statuses whose bodies are read (a bounded prefix) to classify them; every other status is judged by itself. */
export const CLASSIFIED_STATUSES: ReadonlySet<number> = new Set([401, 403, 429]);

/** How much of a refused answer's body is read to classify it. Error bodies are small; a hostile one is not read further. */
export const FAILURE_PREFIX_BYTES = 16 * 1024;

/** The parts of an upstream error body that rules look at (empty strings where absent). */
export interface ErrorFacts {
  status: number;
  message: string;
  type: string;
  code: string;
  headers: IncomingHttpHeaders;
}

/** One row of a provider's table: the upstream's wording it recognises, and what it means. */
export interface FailureRule {
  statuses: readonly number[];
  class: FailureClass;
  /** The upstream's words, as documentation (and the unit tests' input). */
  example: string;
  matches(facts: ErrorFacts): boolean;
}

/** Classifies one refused answer from its status, headers and the text of its body's first bytes. */
export type FailureClassifier = (status: number, headers: IncomingHttpHeaders, bodyPrefix: string) => FailureClass;

/** DESIGN.md's rule by status alone: 429 and 401 are the key's, anything else (403 included) is relayed as-is. */
export function classifyByStatus(status: number): FailureClass {
  return status === 429 || status === 401 ? 'key_failure' : 'request_fault';
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/**
 * `error.message`, `error.type`, `error.code` of an OpenAI or Anthropic error body. A body cut at the prefix bound
 * (or not JSON) is matched as plain text, so the wording is still found.
 */
export function errorFacts(status: number, headers: IncomingHttpHeaders, bodyPrefix: string): ErrorFacts {
  try {
    const error = (JSON.parse(bodyPrefix) as { error?: Record<string, unknown> } | null)?.error;
    if (error && typeof error === 'object') {
      return { status, headers, message: text(error.message), type: text(error.type), code: text(error.code) };
    }
  } catch {
    // falls through to the raw text
  }
  return { status, headers, message: bodyPrefix, type: '', code: '' };
}

/** A provider's classifier over its table: the first matching row wins, else the status decides. */
export function failureClassifier(table: readonly FailureRule[]): FailureClassifier {
  return function classifyFailure(status, headers, bodyPrefix) {
    if (!CLASSIFIED_STATUSES.has(status)) return classifyByStatus(status);
    const facts = errorFacts(status, headers, bodyPrefix);
    for (const rule of table) if (rule.statuses.includes(status) && rule.matches(facts)) return rule.class;
    return classifyByStatus(status);
  };
}
