/** The default logger: winston to stderr at `warn`, so that misconfiguration is visible unless the host passes its own. */
import { createLogger, transports, format, type Logger } from 'winston';

/**
 * A winston logger that prints warnings and errors, as JSON lines, to stderr. Used when `createBridge({ logger })`
 * (or a store's, the dashboard's, the MCP injector's `logger`) is not given: a `baseURL` without `/v1`, a missing MCP
 * command or keys cooling down must be seen. To turn it off, pass `winston.createLogger({ silent: true })`.
 */
export function createDefaultLogger(): Logger {
  return createLogger({
    level: 'warn',
    format: format.combine(format.timestamp(), format.json()),
    defaultMeta: { component: 'express-aibridge' },
    transports: [new transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
}

/** Turns any thrown value into a log-safe message (never the object itself: it may carry request headers). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  // An error made in another realm (a vm context, a test sandbox) fails `instanceof Error` but is still one.
  const message = typeof err === 'object' && err !== null ? (err as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : 'unknown error';
}
