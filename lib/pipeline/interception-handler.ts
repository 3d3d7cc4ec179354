/** The bridged-route pipeline shared by every API, as its stages: admit → offer tools → send and relay → conclude. */
import type { Request, Response } from 'express';
import type { BridgeRuntime, ProviderRuntime } from './runtime';
import { admit } from './admit';
import { Interception, type Ending } from './interception';
import { InterceptionRoute } from './interception-route';
import { offerTools } from './offer-tools';
import { sendAndRelay } from './relay/relay';
import type { ApiAdapter } from '../apis/api';

/** Builds the Express handler of one bridged API of one provider. */
export function createInterceptionHandler(provider: ProviderRuntime, api: ApiAdapter, bridge: BridgeRuntime) {
  const route = new InterceptionRoute(provider, api, bridge);

  return async function interceptionHandler(req: Request, res: Response): Promise<void> {
    const ix = new Interception(route, req, res);
    let ending: Ending;
    try {
      await admit(ix);
      // Without tools to offer (the usual case) there is nothing to wait for.
      const offered = offerTools(ix);
      const tools = offered instanceof Promise ? await offered : offered;
      ending = await sendAndRelay(ix, tools);
    } catch (err) {
      return ix.endWith(err);
    }
    ix.end(ending);
  };
}
