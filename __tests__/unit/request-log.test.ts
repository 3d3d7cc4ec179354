// The pieces of the request logs: level checks (through the redacting wrapper, following level changes), the end's counts, child loggers.
import winston from 'winston';
import { childLogger, levelEnabled, RequestLog } from '../../lib/observability/request-log';
import { Redactor } from '../../lib/redaction/redactor';
import { redactingLogger } from '../../lib/redaction/redacting-logger';
import type { TurnMetrics } from '../../lib/observability/metrics/types';
import { MemoryTransport } from '../helpers/gateway';

const KEY = 'sk-unit-request-log-000000000001';

test('level checks answer for the wrapped logger and follow a level changed at runtime', () => {
  const raw = winston.createLogger({ level: 'warn', transports: [new MemoryTransport()] });
  const logger = redactingLogger(raw, new Redactor([KEY]));
  expect([levelEnabled(logger, 'info'), levelEnabled(logger, 'debug')]).toEqual([false, false]);
  raw.level = 'info';
  expect([levelEnabled(logger, 'info'), levelEnabled(logger, 'debug')]).toEqual([true, false]);
  logger.level = 'debug';
  expect([levelEnabled(logger, 'info'), levelEnabled(logger, 'debug')]).toEqual([true, true]);
});

test('a logger without level checks is taken to write every level; one whose check throws, none', () => {
  const plain = { info: () => undefined, child: () => plain } as unknown as winston.Logger;
  expect(levelEnabled(plain, 'debug')).toBe(true);
  const broken = { isInfoEnabled: () => { throw new Error('no'); } } as unknown as winston.Logger;
  expect(levelEnabled(broken, 'info')).toBe(false);
});

test('the end\'s counts sum every turn and pass each report on to the metrics', () => {
  const seen: string[] = [];
  const metrics: TurnMetrics = { tokens: (u) => void seen.push(`tokens ${u.input}`), toolCall: (_t, injected, outcome) => void seen.push(`tool ${injected} ${outcome}`) };
  const log = new RequestLog(false);
  log.reportingTo(metrics).tokens({ input: 10, output: 2, cacheRead: 3, cacheWrite: 1 });
  log.reportingTo(undefined).tokens({ input: 5, output: 1, cacheRead: 0, cacheWrite: 4 });
  log.reportingTo(metrics).toolCall(undefined, true, 'ok');
  log.toolCall(undefined, true, 'error');
  log.toolCall(undefined, true, 'not_run');
  log.toolCall(undefined, false, 'ok');
  expect({ input: log.input, output: log.output, cacheRead: log.cacheRead, cacheWrite: log.cacheWrite, injected: log.injectedToolCalls })
    .toEqual({ input: 15, output: 3, cacheRead: 3, cacheWrite: 5, injected: 2 });
  expect(seen).toEqual(['tokens 10', 'tool true ok', 'tool true error', 'tool true not_run', 'tool false ok']);
});

test('a child carries its fields, stays redacting, and falls back to the logger when children cannot be made', () => {
  const lines = new MemoryTransport();
  const logger = redactingLogger(winston.createLogger({ level: 'info', transports: [lines] }), new Redactor([KEY]));
  childLogger(logger, { interceptionId: 'ix-1' }).info(`uses ${KEY}`);
  expect(JSON.parse(lines.lines[0])).toMatchObject({ interceptionId: 'ix-1', message: expect.not.stringContaining(KEY) });
  const childless = { info: () => undefined } as unknown as winston.Logger;
  expect(childLogger(childless, { a: 1 })).toBe(childless);
  const throwing = { child: () => { throw new Error('no'); } } as unknown as winston.Logger;
  expect(childLogger(throwing, { a: 1 })).toBe(throwing);
});
