/**
 * The inner agentic loop, for every API: call the model with the injected tools; when it calls one, run it and
 * call the model again with the result; stop at an answer without injected calls, or after `maxIterations` calls
 * with tools (then one last call without them). Streams keep streaming: text is relayed live, injected calls hidden.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { GatewayError, errorTypeForStatus, errorTypeForUpstreamEvent, gatewayErrorForTransport, type StreamError } from '../errors';
import type { RecordSink } from '../recorder/record-sink';
import type { ErrorType } from '../recorder/types';
import { redactEvents } from '../redaction/event-redaction';
import type { KeyScrub } from '../redaction/redactor';
import type { ClientStream } from '../streaming/client-stream';
import { EventTooLargeError, pumpEvents } from '../streaming/stream-pump';
import type { UpstreamResponse } from '../upstream/upstream-client';
import type { Conversation, ToolOutcome, Turn } from './loop-types';
import { recordTurn } from './record-turn';
import { loopBodyTooLarge, runToolCalls } from './run-tool-calls';
import type { InjectedTool, ToolCallResult, ToolContext, ToolInjector } from './types';

/** Calls made with tools before the last call without them, when the injector does not say. */
export const DEFAULT_MAX_ITERATIONS = 10;

const MIXED_TURN = 'Not run: the same turn called a client tool, so the turn went back to the client.';

/** How the loop ended (a client that left surfaces as a thrown abort instead). */
export interface LoopOutcome {
  httpStatus: number;
  status: 'completed' | 'failed';
  errorType?: ErrorType;
  errorMessage?: string;
}

/** What the loop needs from the request pipeline; built once per request by the interception handler. */
export interface ToolLoopContext {
  conversation: Conversation;
  streaming: boolean;
  tools: readonly InjectedTool[];
  injector: ToolInjector;
  toolContext: ToolContext;
  /** One upstream call (key walk and failover included). */
  send(body: Buffer): Promise<UpstreamResponse>;
  res: ServerResponse;
  client: ClientStream;
  relayHeaders(res: ServerResponse, headers: IncomingHttpHeaders): void;
  /** The API's error event, for failures after the stream began. */
  streamErrorEvent(error: StreamError): string;
  /** A gateway error in the provider's words. */
  describe(error: GatewayError): StreamError;
  /** The upstream's own message in an error body, if it has one. */
  errorMessageOf(body: Buffer): string | undefined;
  /** Reads a whole (bounded, redacted) upstream body. */
  readBody(upstream: UpstreamResponse): Promise<Buffer>;
  /** This request's redaction: of relayed events, and of tool results before the model or a record sees them. */
  scrub: KeyScrub;
  /** The error a stream that broke while its body was arriving ends with; logs it (throttled) as the plain relay does. */
  midStreamFailure(err: unknown): GatewayError;
  sink: RecordSink;
  keepAliveMs: number;
  maxEventBytes: number;
  /** One tool result, in UTF-8 bytes; longer ones are cut with a note. */
  maxToolResultBytes: number;
  /** Largest body the loop sends upstream after its first call. */
  maxBodyBytes: number;
}

function isEventStream(headers: IncomingHttpHeaders): boolean {
  const type = headers['content-type'];
  return typeof type === 'string' && type.startsWith('text/event-stream');
}

/** Runs the loop to its end and answers the client. */
export async function runToolLoop(ctx: ToolLoopContext): Promise<LoopOutcome> {
  const byName = new Map(ctx.tools.map((t) => [t.name, t]));
  const maxIterations = ctx.injector.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  let capped = false;
  for (let iteration = 0; ; iteration++) {
    const body = ctx.conversation.body();
    // The first body is the client's (already bounded) plus the tools; later ones grow with every turn.
    if (iteration > 0 && body.length > ctx.maxBodyBytes) return overLimit(ctx, loopBodyTooLarge(body.length, ctx.maxBodyBytes));
    const step = ctx.streaming ? await streamedCall(ctx, iteration, body) : await blockingCall(ctx, body);
    if ('outcome' in step) return step.outcome;
    const { turn } = step;
    const injected = turn.toolCalls.filter((c) => c.injected);
    const mixed = injected.length > 0 && turn.toolCalls.some((c) => !c.injected && !c.ranUpstream);
    if (injected.length === 0 || mixed || capped) {
      recordTurn(ctx.sink, turn, [], byName, mixed ? MIXED_TURN : 'Not run: the loop reached its iteration limit.');
      return finish(ctx, step);
    }
    let ran: Awaited<ReturnType<typeof runToolCalls>>;
    if (ctx.streaming) ctx.client.startKeepAlive(ctx.keepAliveMs);
    try {
      // A tool may quote any pool key: neither the model nor a record gets it (redacted before any cut).
      const limits = {
        maxResultBytes: ctx.maxToolResultBytes, maxTotalBytes: Math.max(0, ctx.maxBodyBytes - body.length), bodyBytes: body.length,
        maxBodyBytes: ctx.maxBodyBytes, redact: (result: ToolCallResult) => ctx.scrub.value(result),
      };
      ran = await runToolCalls(injected, ctx.injector, ctx.toolContext, limits);
    } finally {
      ctx.client.stopKeepAlive();
    }
    const outcomes: ToolOutcome[] = ran.outcomes;
    if (ran.overLimit) {
      recordTurn(ctx.sink, turn, outcomes, byName, 'Not run: the loop reached maxBodyBytes.');
      return overLimit(ctx, ran.overLimit);
    }
    recordTurn(ctx.sink, turn, outcomes, byName);
    ctx.conversation.continueWith(turn, outcomes);
    if (iteration + 1 >= maxIterations) {
      ctx.conversation.dropInjectedTools();
      capped = true;
    }
  }
}

type Step =
  | { outcome: LoopOutcome }
  | { turn: Turn; status: number; headers: IncomingHttpHeaders; body?: Buffer; observer?: ReturnType<Conversation['observe']> };

function finish(ctx: ToolLoopContext, step: Exclude<Step, { outcome: LoopOutcome }>): LoopOutcome {
  if (ctx.streaming) {
    ctx.client.end(ctx.conversation.streamTail(step.observer!));
  } else {
    sendBlocking(ctx, step.status, step.headers, ctx.conversation.finalAnswer(step.body!));
  }
  return { httpStatus: step.status, status: 'completed' };
}

function sendBlocking(ctx: ToolLoopContext, status: number, headers: IncomingHttpHeaders, body: Buffer): void {
  const { res } = ctx;
  res.statusCode = status;
  ctx.relayHeaders(res, headers);
  res.setHeader('content-length', body.length);
  res.end(body);
}

function upstreamFailed(ctx: ToolLoopContext, status: number, body: Buffer): LoopOutcome {
  return { httpStatus: status, status: 'failed', errorType: errorTypeForStatus(status), errorMessage: ctx.errorMessageOf(body) };
}

async function blockingCall(ctx: ToolLoopContext, request: Buffer): Promise<Step> {
  const upstream = await ctx.send(request);
  const body = await ctx.readBody(upstream);
  const ok = upstream.status >= 200 && upstream.status < 300;
  const turn = ok ? ctx.conversation.readAnswer(body) : undefined;
  if (!turn) {
    // An error (on any iteration) or an answer the loop cannot read goes to the client as the upstream sent it.
    sendBlocking(ctx, upstream.status, upstream.headers, body);
    return { outcome: ok ? { httpStatus: upstream.status, status: 'completed' } : upstreamFailed(ctx, upstream.status, body) };
  }
  return { turn, status: upstream.status, headers: upstream.headers, body };
}

function eventTooLarge(err: EventTooLargeError): GatewayError {
  return new GatewayError({ status: 502, errorType: 'server_error', code: 'event_too_large', message: err.message });
}

/** A gateway limit ended the loop: one error event once the stream began, else the provider-shaped error answer. */
function overLimit(ctx: ToolLoopContext, error: GatewayError): LoopOutcome {
  if (ctx.client.started) return failStream(ctx, error).outcome;
  throw error;
}

function failStream(ctx: ToolLoopContext, error: GatewayError): { outcome: LoopOutcome } {
  const event = ctx.describe(error);
  ctx.client.end(ctx.conversation.streamErrorEvent?.(event) ?? ctx.streamErrorEvent(event));
  return { outcome: { httpStatus: 200, status: 'failed', errorType: error.errorType, errorMessage: error.message } };
}

async function streamedCall(ctx: ToolLoopContext, iteration: number, body: Buffer): Promise<Step> {
  let upstream: UpstreamResponse;
  try {
    upstream = await ctx.send(body);
  } catch (err) {
    // Before the first byte the pipeline answers in the provider's shape; after it, only an event can.
    if (!ctx.client.started || ctx.toolContext.signal.aborted) throw err;
    return failStream(ctx, gatewayErrorForTransport(err));
  }
  if (upstream.status !== 200 || !isEventStream(upstream.headers)) {
    const body = await ctx.readBody(upstream);
    if (!ctx.client.started) {
      sendBlocking(ctx, upstream.status, upstream.headers, body);
      return { outcome: upstreamFailed(ctx, upstream.status, body) };
    }
    const message = ctx.errorMessageOf(body) ?? `The upstream answered ${upstream.status} in the middle of the tool loop.`;
    const failed = failStream(ctx, new GatewayError({ status: upstream.status, errorType: errorTypeForStatus(upstream.status), code: 'upstream_error', message }));
    failed.outcome.httpStatus = upstream.status;
    return failed;
  }
  ctx.client.open(upstream.status, upstream.headers);
  const observer = ctx.conversation.observe(iteration);
  try {
    await pumpEvents(upstream.body, observer, ctx.client, ctx.maxEventBytes, (events) => redactEvents(events, ctx.scrub));
  } catch (err) {
    if (ctx.toolContext.signal.aborted) throw err;
    recordTurn(ctx.sink, observer.turn(), [], new Map());
    // The upstream answered: "could not be reached" would send people looking in the wrong place.
    return failStream(ctx, err instanceof EventTooLargeError ? eventTooLarge(err) : ctx.midStreamFailure(err));
  }
  const turn = observer.turn();
  if (observer.upstreamError) {
    recordTurn(ctx.sink, turn, [], new Map());
    ctx.client.end(); // the upstream's error event was relayed as it came
    const { type, message } = observer.upstreamError;
    return { outcome: { httpStatus: 200, status: 'failed', errorType: errorTypeForUpstreamEvent(type), errorMessage: message } };
  }
  if (!observer.completed) {
    recordTurn(ctx.sink, turn, [], new Map());
    return failStream(ctx, new GatewayError({ status: 502, errorType: 'server_error', code: 'stream_incomplete', message: 'The upstream stream ended before it was complete.' }));
  }
  return { turn, status: upstream.status, headers: upstream.headers, observer };
}
