/** The send-and-relay stage: the request's conversation with the upstream, run by the one relay engine (the tool loop, with or without injected tools). */
import { AccumulationBudget } from '../../streaming/accumulation-budget';
import { ClientStream } from './client-stream';
import { runToolLoop } from '../loop/tool-loop';
import type { InjectedTool } from '../../tools/types';
import type { Ending, Interception } from '../interception';

/** Sends `ix` upstream and answers the client; returns how the interception ended. */
export function sendAndRelay(ix: Interception, tools: readonly InjectedTool[]): Promise<Ending> {
  const { call, bridge } = ix;
  // One budget per interception: every observer of the request (every call of the loop) draws on it.
  const budget = call.streaming ? new AccumulationBudget(bridge.maxAccumulatedBytes) : undefined;
  const client = new ClientStream(ix.res, (out, headers) => ix.relayHeaders(out, headers), ix.api.keepAliveEvent);
  return runToolLoop(ix, { conversation: call.conversation(tools, budget, ix.created), tools, client });
}
