/** The default logger: winston, quiet unless the host passes its own. */
import { createLogger, transports, format, type Logger } from 'winston';

/** A winston logger that only prints errors, to stderr. Used when `createBridge({ logger })` is not given. */
export function createQuietLogger(): Logger {
  return createLogger({
    level: 'error',
    format: format.combine(format.timestamp(), format.json()),
    defaultMeta: { component: 'express-aibridge' },
    transports: [new transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
}

/** Turns any thrown value into a log-safe message (never the object itself: it may carry request headers). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : 'unknown error';
}
