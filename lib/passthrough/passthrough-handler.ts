/** Allowlisted passthrough routes, as their stages: admit → prepare → own → send with key failover → relay (→ conclude on close). */
import type { Request, Response } from 'express';
import type { BridgeRuntime, ProviderRuntime } from '../pipeline/runtime';
import { admit, admitOwnership } from './admit';
import { PassthroughCall, type PassthroughMatch } from './passthrough-call';
import { PassthroughRoute } from './passthrough-route';
import { prepare } from './prepare';
import { relay } from './relay';
import { sendWithFailover } from './send';

/** Builds the passthrough handler of one provider (one proxy, one keep-alive agent, one header rule, made here once). */
export function createPassthroughHandler(provider: ProviderRuntime, bridge: BridgeRuntime) {
  const route = new PassthroughRoute(provider, bridge);

  async function passthroughHandler(req: Request, res: Response, match: PassthroughMatch): Promise<void> {
    // Its record, metric, log line, span and timing are reported when the response closes (lib/passthrough/conclude.ts).
    const call = new PassthroughCall(route, { req, res, ...match });
    try {
      await admit(call);
      await prepare(call);
      await admitOwnership(call);
      const upstream = await sendWithFailover(call);
      await relay(call, upstream);
    } catch (err) {
      call.fail(err);
    }
  }

  return { handle: passthroughHandler, close: () => route.proxy.close() };
}
