/** The bridge's logger, wrapped once at creation so that every line's message and meta go through the redaction rule. */
import type { Logger } from 'winston';
import type { KeyScrub } from './redactor';

/** The methods that write a line (winston's levels and `log`); everything else passes through untouched. */
const WRITERS = new Set(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly', 'log']);

/** winston's level checks (`isLevelEnabled`, `isInfoEnabled`…): they write nothing, so they run on the logger itself. */
const LEVEL_CHECK = /^is[A-Z]\w*Enabled$/;

/**
 * `logger` with every argument of every line redacted (messages, string meta, nested meta, errors), and a line that
 * throws swallowed (an observability failure never changes what a client receives). A proxy rather
 * than a winston format, so a host's logger is neither changed nor required to be winston inside; `child()` loggers
 * are wrapped too. `redactor` is the bridge's rule, or one request's scrub (which also masks its BYOK key).
 */
export function redactingLogger(logger: Logger, redactor: Pick<KeyScrub, 'value'>): Logger {
  const wrapped = new Map<string, unknown>();
  return new Proxy(logger, {
    get(target, prop) {
      const known = typeof prop === 'string' ? wrapped.get(prop) : undefined;
      if (known) return known;
      const member: unknown = Reflect.get(target, prop, target);
      if (typeof prop !== 'string' || typeof member !== 'function') return member;
      if (prop === 'child') return (...args: unknown[]) => redactingLogger(member.apply(target, args) as Logger, redactor);
      // A level check is bound to the logger: each request asks, and every property it reads would pass this trap.
      if (LEVEL_CHECK.test(prop)) return remember(wrapped, prop, member.bind(target));
      if (!WRITERS.has(prop)) return member;
      return remember(wrapped, prop, function redactedLine(...args: unknown[]) {
        try {
          return member.apply(target, args.map((arg) => redactor.value(arg)));
        } catch {
          // A logger that throws must not fail the request that logged; there is nowhere left to report it.
          return undefined;
        }
      });
    },
  });
}

function remember(cache: Map<string, unknown>, prop: string, value: unknown): unknown {
  cache.set(prop, value);
  return value;
}
