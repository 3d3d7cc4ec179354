/**
 * The one relay engine, for every API: call the model with the injected tools; when it calls one, run it and
 * call the model again with the result; stop at an answer without injected calls, or after `maxIterations` calls
 * with tools (then one last call without them). Streams keep streaming: text is relayed live, injected calls hidden.
 * Without injected tools it is one call, its answer relayed as it came.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError, Refusal, errorTypeForStatus, errorTypeForUpstreamEvent, gatewayErrorForTransport, upstreamErrorMessage } from '../../errors';
import type { ErrorType } from '../../recorder/types';
import { redactEvents } from '../../redaction/event-redaction';
import type { ClientStream } from '../relay/client-stream';
import { isEventStream, STREAM_INCOMPLETE } from '../../streaming/event-stream';
import { streamErrorEvent, streamFailure } from '../../streaming/stream-failure';
import { pumpEvents } from '../relay/stream-pump';
import type { UpstreamResponse } from '../../http/upstream-client';
import type { Conversation, LoopInterception, ToolOutcome, Turn } from '../../apis/conversation';
import { recordTurn } from '../../apis/record-turn';
import { LOOP_DEFAULTS } from '../../tools/loop-defaults';
import { loopBodyTooLarge, runToolCalls } from './run-tool-calls';
import { logToolCalls } from '../interception-log';
import type { InjectedTool, ToolCallResult, ToolInjector } from '../../tools/types';

const MIXED_TURN = 'Not run: the same turn called a client tool, so the turn went back to the client.';
const BUDGET_SPENT = 'Not run: a budget of the rate limits ran out.';
const WHOLE_ANSWER = 'Not run: the upstream answered the stream request with a whole answer, relayed as it came.';
const NO_TOOLS: ReadonlyMap<string, InjectedTool> = new Map();

/** How the loop ended (a client that left surfaces as a thrown abort instead). */
export interface LoopOutcome {
  httpStatus: number;
  status: 'completed' | 'failed';
  errorType?: ErrorType;
  /** Why the bridge itself ended it (a budget enforced during the stream). */
  errorCode?: string;
  errorMessage?: string;
}

/** What the loop adds to the interception: the conversation it drives, the tools it offers, the client's stream. */
export interface ToolLoopRun {
  readonly conversation: Conversation;
  /** The injected tools; none: one call, relayed. */
  readonly tools: readonly InjectedTool[];
  /** The client's side of a streamed answer (opened at the first upstream stream, ended once). */
  readonly client: ClientStream;
}

/** One run of the loop: the interception, what the loop adds to it, and the tools by shown name. */
interface Loop extends ToolLoopRun {
  readonly ix: LoopInterception;
  /** Set whenever tools are injected. */
  readonly injector: ToolInjector | undefined;
  readonly byName: ReadonlyMap<string, InjectedTool>;
}

/** Runs the loop to its end and answers the client. */
export async function runToolLoop(ix: LoopInterception, run: ToolLoopRun): Promise<LoopOutcome> {
  const injector = ix.bridge.tools;
  // Named fields, not a spread: V8 copies a spread object through a slow path, on every request.
  const { conversation, client, tools } = run;
  const loop: Loop = { ix, conversation, client, tools, injector, byName: tools.length === 0 ? NO_TOOLS : new Map(tools.map((t) => [t.name, t])) };
  const { byName } = loop;
  const { maxBodyBytes, maxToolResultBytes, streamKeepAliveMs } = ix.bridge;
  const streaming = ix.call.streaming;
  const maxIterations = injector?.maxIterations ?? LOOP_DEFAULTS.maxIterations;
  let capped = false;
  for (let iteration = 0; ; iteration++) {
    // Without injected tools there is one call: its attempts hang from the interception span, no iteration span.
    if (tools.length > 0) ix.tracing?.iteration(iteration);
    const body = conversation.body();
    // The first body is the client's (already bounded) plus the tools; later ones grow with every turn.
    if (iteration > 0 && body.length > maxBodyBytes) return overLimit(loop, loopBodyTooLarge(body.length, maxBodyBytes));
    const step = streaming ? await streamedCall(loop, iteration, body) : await blockingCall(loop, body);
    if ('outcome' in step) return step.outcome;
    const { turn } = step;
    const injected = turn.toolCalls.filter((c) => c.injected);
    const mixed = injected.length > 0 && turn.toolCalls.some((c) => !c.injected && !c.ranUpstream);
    if (injected.length === 0 || mixed || capped) {
      recordTurn(ix, turn, { tools: byName, notRun: mixed ? MIXED_TURN : 'Not run: the loop reached its iteration limit.' });
      return finish(loop, step);
    }
    // A budget that ran out ends the loop as the iteration cap does: with the answer so far, never a broken stream.
    if (ix.limits?.readsUsage && await ix.limits.exhausted(turn.usage)) {
      recordTurn(ix, turn, { tools: byName, notRun: BUDGET_SPENT });
      return finish(loop, step);
    }
    let ran: Awaited<ReturnType<typeof runToolCalls>>;
    if (streaming) client.startKeepAlive(streamKeepAliveMs);
    try {
      // A tool may quote any pool key: neither the model nor a record gets it (redacted before any cut).
      const limits = {
        maxResultBytes: maxToolResultBytes, maxTotalBytes: Math.max(0, maxBodyBytes - body.length), bodyBytes: body.length,
        maxBodyBytes, redact: (result: ToolCallResult) => ix.scrub.value(result),
      };
      ran = await runToolCalls(injected, { injector: injector!, ctx: ix.toolContext, limits, tracing: ix.tracing, tools: byName });
    } finally {
      client.stopKeepAlive();
    }
    const outcomes: ToolOutcome[] = ran.outcomes;
    logToolCalls(ix.logger, outcomes, ix.recording?.content);
    if (ran.overLimit) {
      recordTurn(ix, turn, { outcomes, tools: byName, notRun: 'Not run: the loop reached maxBodyBytes.' });
      return overLimit(loop, ran.overLimit);
    }
    recordTurn(ix, turn, { outcomes, tools: byName });
    conversation.continueWith(turn, outcomes);
    if (iteration + 1 >= maxIterations) {
      conversation.dropInjectedTools();
      capped = true;
    }
  }
}

type Step =
  | { outcome: LoopOutcome }
  | { turn: Turn; status: number; headers: IncomingHttpHeaders; body?: Buffer; observer?: ReturnType<Conversation['observe']> };

function finish({ ix, conversation, client }: Loop, step: Exclude<Step, { outcome: LoopOutcome }>): LoopOutcome | Promise<LoopOutcome> {
  const outcome: LoopOutcome = { httpStatus: step.status, status: 'completed' };
  if (step.observer) {
    client.end(conversation.streamTail(step.observer));
    return outcome;
  }
  const answered = ix.answer(step, conversation.finalAnswer(step.body!));
  return answered ? answered.then(() => outcome) : outcome;
}

function upstreamFailed(status: number, body: Buffer): LoopOutcome {
  return { httpStatus: status, status: 'failed', errorType: errorTypeForStatus(status), errorMessage: upstreamErrorMessage(body) };
}

async function blockingCall(loop: Loop, request: Buffer): Promise<Step> {
  const upstream = await loop.ix.send(request);
  const body = await loop.ix.readBody(upstream);
  const ok = upstream.status >= 200 && upstream.status < 300;
  // Without injected tools and nothing to record or count, the answer is relayed unread.
  const turn = ok && (loop.tools.length > 0 || readsAnswers(loop.ix)) ? loop.conversation.readAnswer(body) : undefined;
  if (!turn) {
    const relayed = relayWhole(loop.ix, upstream, body);
    return { outcome: relayed instanceof Promise ? await relayed : relayed };
  }
  return { turn, status: upstream.status, headers: upstream.headers, body };
}

/** Whether an answer the loop itself does not need is read anyway: for its records, or for the token counts of the metrics, the traces and the end's log line. */
function readsAnswers(ix: LoopInterception): boolean {
  // `ix.metrics` is also the end's log line, when the logger writes info (asked last: it resolves the metrics' labels).
  return ix.bridge.recorder.enabled || ix.bridge.metrics !== undefined || ix.bridge.tracing !== undefined || ix.limits?.readsUsage === true || ix.metrics !== undefined;
}

/** An error (on any iteration) or an answer the loop cannot read or go on from goes to the client as the upstream sent it. */
function relayWhole(ix: LoopInterception, upstream: UpstreamResponse, body: Buffer): LoopOutcome | Promise<LoopOutcome> {
  const outcome = upstream.status >= 200 && upstream.status < 300 ? { httpStatus: upstream.status, status: 'completed' as const } : upstreamFailed(upstream.status, body);
  const answered = ix.answer(upstream, body);
  return answered ? answered.then(() => outcome) : outcome;
}

/** A whole answer to a stream request, before the client's stream began: relayed as it came, recorded when it is a 2xx the API can read. */
function relayWholeToStream(loop: Loop, upstream: UpstreamResponse, body: Buffer): LoopOutcome | Promise<LoopOutcome> {
  const { ix, conversation, byName } = loop;
  const turn = upstream.status >= 200 && upstream.status < 300 && readsAnswers(ix) ? conversation.readAnswer(body) : undefined;
  if (turn) recordTurn(ix, turn, { tools: byName, notRun: WHOLE_ANSWER });
  return relayWhole(ix, upstream, body);
}

/** A gateway limit ended the loop: one error event once the stream began, else the provider-shaped error answer. */
function overLimit(loop: Loop, error: GatewayError): LoopOutcome {
  if (loop.client.started) return failStream(loop, error).outcome;
  throw error;
}

function failStream({ ix, conversation, client }: Loop, error: GatewayError): { outcome: LoopOutcome } {
  client.end(streamErrorEvent(ix, error, conversation));
  const outcome: LoopOutcome = { httpStatus: 200, status: 'failed', errorType: error.errorType, errorMessage: error.message };
  if (error instanceof Refusal) outcome.errorCode = error.code;
  return { outcome };
}

async function streamedCall(loop: Loop, iteration: number, body: Buffer): Promise<Step> {
  const { ix, client, conversation } = loop;
  let upstream: UpstreamResponse;
  try {
    upstream = await ix.send(body);
  } catch (err) {
    // Before the first byte the pipeline answers in the provider's shape; after it, only an event can.
    if (!client.started || ix.signal.aborted) throw err;
    return failStream(loop, gatewayErrorForTransport(err));
  }
  if (upstream.status !== 200 || !isEventStream(upstream.headers['content-type'])) {
    const body = await ix.readBody(upstream);
    if (!client.started) {
      const relayed = relayWholeToStream(loop, upstream, body);
      return { outcome: relayed instanceof Promise ? await relayed : relayed };
    }
    const message = upstreamErrorMessage(body) ?? `The upstream answered ${upstream.status} in the middle of the tool loop.`;
    const failed = failStream(loop, new GatewayError({ status: upstream.status, errorType: errorTypeForStatus(upstream.status), code: 'upstream_error', message }));
    failed.outcome.httpStatus = upstream.status;
    return failed;
  }
  client.open(upstream.status, upstream.headers);
  const observer = conversation.observe(iteration);
  try {
    await pumpEvents(upstream.body, {
      filter: observer, client, redact: (events) => redactEvents(events, ix.scrub), release: observer.release?.bind(observer), stop: ix.limits?.duringStream,
    });
  } catch (err) {
    recordTurn(ix, observer.turn()); // what the call produced, however it ended (a client that left included)
    if (ix.signal.aborted) throw err;
    // The upstream answered: "could not be reached" would send people looking in the wrong place.
    return failStream(loop, streamFailure(err, ix));
  }
  const turn = observer.turn();
  if (observer.upstreamError) {
    recordTurn(ix, turn);
    client.end(); // the upstream's error event was relayed as it came
    const { type, message } = observer.upstreamError;
    return { outcome: { httpStatus: 200, status: 'failed', errorType: errorTypeForUpstreamEvent(type), errorMessage: message } };
  }
  if (!observer.completed) {
    recordTurn(ix, turn);
    return failStream(loop, STREAM_INCOMPLETE);
  }
  try {
    await observer.settle?.();
  } catch (err) {
    recordTurn(ix, turn);
    if (ix.signal.aborted) throw err;
    return failStream(loop, streamFailure(err, ix));
  }
  return { turn, status: upstream.status, headers: upstream.headers, observer };
}
