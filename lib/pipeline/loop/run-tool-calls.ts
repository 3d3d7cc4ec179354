/** Runs the injected tool calls of one turn: arguments checked, a deadline per call, failures turned into text the model can read. */
import type { ToolOutcome, TurnToolCall } from '../../apis/conversation';
import { parseToolArguments, toolError } from '../../tools/tool-results';
import { capToolResult, resultBytes } from './cap-tool-result';
import { GatewayError } from '../../errors';
import { LOOP_DEFAULTS } from '../../tools/loop-defaults';
import type { InjectedTool, ToolCallResult, ToolContext, ToolInjector } from '../../tools/types';
import type { InterceptionTrace } from '../../observability/tracing/interception-trace';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** One turn's tool calls: who runs them, for which request, within which limits. */
export interface ToolCallRun {
  readonly injector: ToolInjector;
  readonly ctx: ToolContext;
  readonly limits: ToolTrafficLimits;
  /** Where each call's span starts; absent when tracing is off. */
  readonly tracing?: InterceptionTrace;
  /** The injected tools by shown name (for each call's server in its span). */
  readonly tools?: ReadonlyMap<string, InjectedTool>;
}

async function runOne(call: TurnToolCall, { injector, ctx }: ToolCallRun, timeoutMs: number): Promise<ToolOutcome> {
  const args = parseToolArguments(call.arguments);
  if (!args.ok) return { call, result: toolError(args.error) };
  const deadline = new AbortController();
  const onClientGone = () => deadline.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onClientGone, { once: true });
  const timer = setTimeout(() => deadline.abort(new Error('timeout')), timeoutMs);
  try {
    const timedOut = new Promise<never>((_, reject) => {
      deadline.signal.addEventListener('abort', () => reject(deadline.signal.reason), { once: true });
    });
    const result = await Promise.race([injector.callTool({ name: call.name, arguments: args.value }, { ...ctx, signal: deadline.signal }), timedOut]);
    return { call, result: isResult(result) ? result : toolError('The tool returned no readable result.') };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    if (deadline.signal.aborted) return { call, result: toolError(`The tool did not answer within ${timeoutMs} ms.`) };
    return { call, result: toolError(`The tool failed: ${message(err)}`) };
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onClientGone);
  }
}

/** {@link runOne} inside its span, which is active while the tool runs (so that it reaches an HTTP tool server). */
async function tracedRunOne(call: TurnToolCall, run: ToolCallRun, timeoutMs: number): Promise<ToolOutcome> {
  const span = run.tracing!.toolCall(call, run.tools?.get(call.name)?.serverName);
  if (!span) return runOne(call, run, timeoutMs);
  let failed = true;
  try {
    const outcome = await span.run(() => runOne(call, run, timeoutMs));
    failed = outcome.result.isError === true;
    return outcome;
  } finally {
    span.end(failed);
  }
}

function isResult(v: unknown): v is ToolCallResult {
  return !!v && typeof v === 'object' && Array.isArray((v as ToolCallResult).content);
}

/**
 * Runs `calls` one after the other (the bridge asks models for one call at a time). A failing, hanging or
 * malformed call becomes an error result; only the client leaving (the context's signal) rejects. Each result is
 * capped; once the results together pass `maxTotalBytes`, no further call runs and `overLimit` says why.
 */
export async function runToolCalls(calls: readonly TurnToolCall[], run: ToolCallRun): Promise<{ outcomes: ToolOutcome[]; overLimit?: GatewayError }> {
  const { limits } = run;
  const timeoutMs = run.injector.callTimeoutMs ?? LOOP_DEFAULTS.callTimeoutMs;
  const outcomes: ToolOutcome[] = [];
  let total = 0;
  for (const call of calls) {
    const outcome = run.tracing ? await tracedRunOne(call, run, timeoutMs) : await runOne(call, run, timeoutMs);
    outcome.result = capToolResult(limits.redact(outcome.result), limits.maxResultBytes);
    outcomes.push(outcome);
    total += resultBytes(outcome.result);
    // A turn of many calls must not pile up results that could never be sent: stop at the first one too many.
    if (total > limits.maxTotalBytes) return { outcomes, overLimit: loopBodyTooLarge(limits.bodyBytes + total, limits.maxBodyBytes) };
  }
  return { outcomes };
}

/** What the results of one turn may weigh. */
export interface ToolTrafficLimits {
  /** One result, in UTF-8 bytes (`maxToolResultBytes`). */
  maxResultBytes: number;
  /** Every result of the turn together: what is left under `maxBodyBytes` once the body so far is counted. */
  maxTotalBytes: number;
  /** The size of the last body sent and the bridge's `maxBodyBytes`, for the error's message. */
  bodyBytes: number;
  maxBodyBytes: number;
  /** Replaces any key a result quotes; applied before the cut, so a cut never leaves half a key. */
  redact(result: ToolCallResult): ToolCallResult;
}

/** The loop's next upstream body would pass `maxBodyBytes`: the loop ends with this error (a 413 in the provider's shape, or one error event). */
export function loopBodyTooLarge(size: number, max: number): GatewayError {
  return new GatewayError({ status: 413, errorType: 'bad_request', code: 'loop_body_too_large', message: `The tool loop's next request to the model would be over ${size} bytes, more than the gateway's limit of ${max} bytes (maxBodyBytes); tool results made it grow.` });
}
