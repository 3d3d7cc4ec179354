/** The send-and-relay stage: the tool loop when tools are offered, else one upstream call relayed as it comes (stream or JSON). */
import { errorTypeForStatus, upstreamErrorMessage } from '../../errors';
import { sendUpstreamBody } from './relay-blocking';
import { relayStream, type StreamOutcome } from './relay-stream';
import { AccumulationBudget } from '../../streaming/accumulation-budget';
import { ClientStream } from './client-stream';
import { isEventStream } from '../../streaming/event-stream';
import { runToolLoop } from '../loop/tool-loop';
import type { InjectedTool } from '../../tools/types';
import type { UpstreamResponse } from '../../http/upstream-client';
import type { Ending, Interception } from '../interception';

/** Sends `ix` upstream and answers the client; returns how the interception ended. */
export async function sendAndRelay(ix: Interception, tools: readonly InjectedTool[]): Promise<Ending> {
  const { call, bridge } = ix;
  // One budget per interception: every observer of the request (every call of the loop) draws on it.
  const budget = call.streaming ? new AccumulationBudget(bridge.maxAccumulatedBytes) : undefined;
  if (tools.length > 0) {
    const client = new ClientStream(ix.res, (out, headers) => ix.relayHeaders(out, headers), ix.api.keepAliveEvent);
    return runToolLoop(ix, { conversation: call.conversation!(tools, budget, ix.created), tools, client });
  }
  const upstream = await ix.send(call.upstreamBody);
  if (call.streaming && upstream.status === 200 && isEventStream(upstream.headers['content-type'])) {
    return { httpStatus: upstream.status, ...await relayObservedStream(ix, upstream, budget) };
  }
  return relayBlocking(ix, upstream);
}

async function relayObservedStream(ix: Interception, upstream: UpstreamResponse, budget: AccumulationBudget | undefined): Promise<StreamOutcome> {
  const observer = ix.call.observeStream(ix, budget, ix.created);
  try {
    return await relayStream(ix, upstream, observer);
  } finally {
    observer.finish();
  }
}

/** A whole answer, relayed byte-identical (redacted only when it quotes a key), recorded when it is a 2xx. */
async function relayBlocking(ix: Interception, upstream: UpstreamResponse): Promise<Ending> {
  const httpStatus = upstream.status;
  const received = await ix.readBody(upstream);
  sendUpstreamBody(upstream, received, ix);
  if (httpStatus < 200 || httpStatus >= 300) {
    return { httpStatus, status: 'failed', errorType: errorTypeForStatus(httpStatus), errorMessage: upstreamErrorMessage(received) };
  }
  if (!ix.bridge.recorder.enabled) return { httpStatus, status: 'completed' };
  let answer: unknown;
  try {
    answer = JSON.parse(received.toString('utf8'));
  } catch {
    answer = undefined; // relayed as-is; nothing to record from a non-JSON answer
  }
  ix.call.recordBlocking(answer, ix);
  return { httpStatus, status: 'completed' };
}
