/** The bridged-route pipeline shared by every API, as its stages: admit → offer tools → send and relay → conclude. */
import type { Request, Response } from 'express';
import type { BridgeRuntime, ProviderRuntime } from './runtime';
import { admit } from './admit';
import { Interception, type Ending } from './interception';
import { InterceptionRoute } from './interception-route';
import { offerTools } from './offer-tools';
import { sendAndRelay } from './relay/relay';
import type { ApiAdapter } from '../apis/api';
import { leftToNextProvider, type RoutedRequest } from './model-routes/routed-request';

/**
 * The handler of one bridged API of one provider. Resolves true once the client was answered; false only for a
 * request of a model route that this provider could not serve, ended unanswered for the route's next provider.
 */
export type InterceptionHandler = (req: Request, res: Response, routed?: RoutedRequest) => Promise<boolean>;

/** Builds the Express handler of one bridged API of one provider. */
export function createInterceptionHandler(provider: ProviderRuntime, api: ApiAdapter, bridge: BridgeRuntime): InterceptionHandler {
  const route = new InterceptionRoute(provider, api, bridge);

  return async function interceptionHandler(req: Request, res: Response, routed?: RoutedRequest): Promise<boolean> {
    const ix = new Interception(route, { req, res, routed });
    let ending: Ending;
    try {
      await admit(ix);
      // Without tools to offer (the usual case) there is nothing to wait for.
      const offered = offerTools(ix);
      const tools = offered instanceof Promise ? await offered : offered;
      ending = await sendAndRelay(ix, tools);
    } catch (err) {
      if (leftToNextProvider(ix, err)) return false;
      ix.endWith(err);
      return true;
    }
    ix.end(ending);
    return true;
  };
}
