/** What one request's `info` line at its end adds up while the request runs: tokens and injected tool calls, and which levels are on. */
import type { Logger } from 'winston';
import type { InjectedToolView, TokenCountsView, ToolCallOutcome, TurnMetrics } from './metrics/types';

/** Whether `logger` writes lines at `level`; a host logger without winston's level checks is taken to write them all. */
export function levelEnabled(logger: Logger, level: 'info' | 'debug'): boolean {
  try {
    const check = level === 'info' ? logger.isInfoEnabled : logger.isDebugEnabled;
    return typeof check === 'function' ? check.call(logger) : true;
  } catch {
    return false;
  }
}

/**
 * Token counts and injected tool calls of one request, counted as its turns report them (it sits where the turns
 * report to the metrics, and passes each report on to them when they are on). Made only when the logger writes
 * `info`, so the default `warn` logger costs one level check per request.
 */
export class RequestLog implements TurnMetrics {
  input = 0;
  output = 0;
  cacheRead = 0;
  cacheWrite = 0;
  /** Injected calls the bridge ran (successfully or not). */
  injectedToolCalls = 0;
  /** Where each report goes next: the metrics of this request's turns, when they are on. */
  private next: TurnMetrics | undefined;

  /** `debug`: whether the logger writes `debug` too (prompts and tool arguments are logged at that level only). */
  constructor(readonly debug: boolean) {}

  /** This log, passing reports on to `next` (the request's metrics, or none). */
  reportingTo(next: TurnMetrics | undefined): this {
    this.next = next;
    return this;
  }

  tokens(usage: TokenCountsView): void {
    this.input += usage.input;
    this.output += usage.output;
    this.cacheRead += usage.cacheRead;
    this.cacheWrite += usage.cacheWrite;
    this.next?.tokens(usage);
  }

  toolCall(tool: InjectedToolView | undefined, injected: boolean, outcome: ToolCallOutcome): void {
    if (injected && outcome !== 'not_run') this.injectedToolCalls++;
    this.next?.toolCall(tool, injected, outcome);
  }
}

/** A logger whose every line carries `fields`; `logger` itself when it cannot make children (or making one fails). */
export function childLogger(logger: Logger, fields: Record<string, unknown>): Logger {
  try {
    return typeof logger.child === 'function' ? logger.child(fields) : logger;
  } catch {
    return logger;
  }
}
