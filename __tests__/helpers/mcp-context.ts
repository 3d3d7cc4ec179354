/** Shared bits of the MCP suites: a tool context, polling until a condition holds, a logger that keeps its entries. */
import { createLogger, type Logger } from 'winston';
import Transport from 'winston-transport';
import type { ToolContext } from '../../lib';

export function toolContext(signal: AbortSignal = new AbortController().signal): ToolContext {
  return { actor: { id: 'alice' }, providerName: 'openai', model: 'gpt-test', signal };
}

/** Polls `read` until `ok` accepts its value; fails with the last value after `timeoutMs` (a generous bound). */
export async function waitFor<T>(read: () => T | Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface LogEntry {
  level: string;
  message: string;
  [key: string]: unknown;
}

class MemoryTransport extends Transport {
  constructor(private readonly entries: LogEntry[]) {
    super({ level: 'debug' });
  }

  override log(info: LogEntry, next: () => void): void {
    this.entries.push(info);
    next();
  }
}

/** A winston logger at `debug` that keeps every entry in `entries`. */
export function memoryLogger(): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return { logger: createLogger({ level: 'debug', transports: [new MemoryTransport(entries)] }), entries };
}
