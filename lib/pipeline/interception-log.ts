/** The log lines of one interception: its logger's fields, the one `info` line at its end, and what only `debug` may show. */
import type { Logger } from 'winston';
import type { ToolOutcome } from '../apis/conversation';
import { childLogger, levelEnabled, type RequestLog } from '../observability/request-log';
import type { ContentShaper } from '../recorder/content-mode';
import { redactingLogger } from '../redaction/redacting-logger';
import type { Ending, Interception } from './interception';

/** Prompt text and tool arguments longer than this are cut in `debug` lines (a prompt may be megabytes). */
export const DEBUG_TEXT_MAX = 4_096;

/**
 * The logger of `ix`: the bridge's, with the fields every line about the request carries. Before admission only the
 * provider and API are known; a BYOK request's lines also mask the client's own key.
 */
export function interceptionLogger(ix: Interception): Logger {
  const base = ix.bridge.logger;
  // Admission sets the plan last of what the fields need.
  if (!ix.plan) return childLogger(base, { provider: ix.providerName, api: ix.api.name });
  const logger = childLogger(base, {
    interceptionId: ix.id, provider: ix.providerName, api: ix.api.name, model: ix.call.model, actorId: ix.actor.id, client: ix.client,
    routedBy: ix.routed?.name,
  });
  return ix.plan.byokKey === undefined ? logger : redactingLogger(logger, ix.scrub);
}

/** The `info` line that says how `ix` ended (written only when the logger writes `info`: `ix.requestLog` is made then). */
export function logEnded(ix: Interception, ending: Ending): void {
  const log = ix.requestLog;
  if (log) quietly(() => writeEnded(ix, ending, log));
}

function writeEnded(ix: Interception, ending: Ending, log: RequestLog): void {
  const { trace } = ix;
  const now = Date.now();
  ix.logger.info('interception ended', {
    status: ending.status,
    httpStatus: ending.httpStatus,
    errorType: ending.errorType,
    // The code of a refusal by the bridge itself (`limit_exceeded`…), on ends that carry one.
    errorCode: (ending as { errorCode?: string }).errorCode,
    streaming: ix.plan ? ix.call.streaming : undefined,
    durationMs: now - ix.startedAt,
    timeToFirstByteMs: ix.firstByteAt === undefined ? undefined : ix.firstByteAt - ix.startedAt,
    credentialKind: ix.plan?.kind,
    credentialHint: trace.credential?.hint,
    attempts: trace.log,
    tokens: { input: log.input, output: log.output, cacheRead: log.cacheRead, cacheWrite: log.cacheWrite },
    injectedToolCalls: log.injectedToolCalls,
  });
}

/**
 * A content text as the interception's `recordContent` mode lets it be kept (a log holds no more than a record):
 * whole, masked, hashed, or left out (its size only).
 */
function shapedText(content: ContentShaper | undefined, what: 'recordPromptUsage' | 'recordToolUsage', field: 'prompt' | 'args', text: string): Record<string, unknown> {
  if (!content) return { [field]: cut(text) };
  const shaped = content.shape(what, { [field]: text }) as Record<string, unknown>;
  const value = shaped[field];
  const fields: Record<string, unknown> = { ...(shaped.extra as Record<string, unknown> | undefined) };
  if (typeof value === 'string' && value !== '') fields[field] = cut(value);
  return fields;
}

/** The request's prompt, at `debug` only, as its content mode keeps it. */
export function logPrompt(ix: Interception): void {
  if (!ix.requestLog?.debug || ix.call.prompt === undefined) return;
  quietly(() => ix.logger.debug('prompt', shapedText(ix.recording?.content, 'recordPromptUsage', 'prompt', ix.call.prompt!)));
}

/** The injected calls of one turn with their arguments, at `debug` only. */
export function logToolCalls(logger: Logger, outcomes: readonly ToolOutcome[], content?: ContentShaper): void {
  if (outcomes.length === 0 || !levelEnabled(logger, 'debug')) return;
  quietly(() => {
    for (const { call, result } of outcomes) {
      const { args, ...sizes } = shapedText(content, 'recordToolUsage', 'args', call.arguments);
      logger.debug('injected tool call', { tool: call.name, toolCallId: call.id, arguments: args, ...sizes, isError: result.isError === true });
    }
  });
}

/** Runs a log call; a logger that throws changes nothing for the request. */
export function quietly(write: () => void): void {
  try {
    write();
  } catch {
    // Nothing to tell: the logger is what failed.
  }
}

function cut(text: string): string {
  return text.length <= DEBUG_TEXT_MAX ? text : `${text.slice(0, DEBUG_TEXT_MAX)}… [cut: ${text.length} characters]`;
}
