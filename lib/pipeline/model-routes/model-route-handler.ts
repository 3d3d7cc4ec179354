/**
 * A model route's handler of one API: reads the actor and the body once, picks the rule by the request's `model`, and
 * runs its providers' own handlers in order until one serves the request.
 */
import type { Request, Response } from 'express';
import { GatewayError, isTransportError, Refusal } from '../../errors';
import type { ErrorShape } from '../../apis/error-shape';
import { actorAtOnce, resolveActor } from '../../http/actor';
import { untilAborted } from '../../http/deadline';
import { readJsonBody, type JsonBody } from '../../http/read-body';
import { parseObject } from '../../json/parse-object';
import type { Actor } from '../../http/actor-types';
import { sendGatewayError } from '../../http/respond';
import type { InterceptionHandler } from '../interception-handler';
import { SHUTDOWN_ABORT, type BridgeRuntime } from '../runtime';
import type { ModelPattern } from './model-pattern';

/** Counters of one model route since the bridge was created (`stats().routes`). */
export interface RouteCounters {
  /** Requests a rule matched, handed to its first provider. */
  routed: number;
  /** Times a provider could not serve a request and the route went on to its next one. */
  fallbacks: number;
  /** Requests whose model no rule of the route matched (`404`, sent nowhere). */
  unmatched: number;
}

/** One provider of a rule, as the route runs it. */
export interface RouteTarget {
  readonly name: string;
  readonly handle: InterceptionHandler;
}

/** A rule serving the API of this handler. */
export interface ApiRule {
  readonly matches: ModelPattern;
  readonly providers: readonly RouteTarget[];
}

/** What one route's handler of one API is made of. */
export interface ModelRouteHandlerInit {
  readonly name: string;
  /** The rules serving this API, in order. */
  readonly rules: readonly ApiRule[];
  /** The API's error shape, for what the route answers itself. */
  readonly errors: ErrorShape;
  readonly counters: RouteCounters;
  readonly bridge: BridgeRuntime;
}

const NO_MODEL = new GatewayError({ status: 400, errorType: 'bad_request', code: 'invalid_request', message: 'The request must name its `model` (a string): the route chooses the provider by it.' });
const MAX_QUOTED_MODEL = 256;

/** What the route read of a request, and the providers of the rule its model matched. */
interface Chosen {
  readonly actor: Actor;
  readonly body: JsonBody;
  readonly providers: readonly RouteTarget[];
}

/** Why a route stops waiting when its client left. */
const CLIENT_LEFT = new GatewayError({ status: 499, errorType: 'aborted', code: 'client_closed', message: 'The client went away.' });

/** A request past capacity: its body is not read, and the first provider of the API's first rule records the refusal. */
interface Refused {
  /** Undefined when the resolver would have had to be waited for: then the refusal is answered, not recorded. */
  readonly actor: Actor | undefined;
  readonly atCapacity: Refusal;
}

/** `model` cut to {@link MAX_QUOTED_MODEL} UTF-16 units, never between the two halves of one character. */
function quoted(model: string): string {
  if (model.length <= MAX_QUOTED_MODEL) return model;
  const last = model.charCodeAt(MAX_QUOTED_MODEL - 1);
  const cut = last >= 0xd800 && last <= 0xdbff ? MAX_QUOTED_MODEL - 1 : MAX_QUOTED_MODEL;
  return `${model.slice(0, cut)}…`;
}

function notRouted(route: string, model: string): GatewayError {
  const named = quoted(model);
  return new GatewayError({ status: 404, errorType: 'bad_request', code: 'model_not_found', message: `The model \`${named}\` is not served here: no rule of the route "${route}" matches it.` });
}

/** Builds the handler; it resolves once the client was answered (or left). */
export function createModelRouteHandler(init: ModelRouteHandlerInit): (req: Request, res: Response) => Promise<void> {
  const { name, rules, errors, counters, bridge } = init;
  const refuser = rules[0].providers[0];

  /** The actor, the body and the rule's providers (or the capacity refusal); throws what the client gets when there are none. */
  async function choose(req: Request, res: Response, stopped: AbortSignal): Promise<Chosen | Refused> {
    // As on a provider's own prefix: the bridge's slot first (requests waiting on a slow actor resolver are in flight
    // too), then the actor, then the actor's slot; nothing is read for a request nobody made or that will not run.
    // The slots are the client request's, held across the providers it goes through.
    const slot = bridge.capacity?.enter(res);
    if (slot instanceof Refusal) return { actor: actorAtOnce(bridge.actor, req, bridge.logger), atCapacity: slot };
    const resolving = resolveActor(bridge.actor, req, bridge.logger);
    // A client that leaves (or close()) stops the wait: a resolver that never answers holds nothing then.
    const actor = resolving instanceof Promise ? await untilAborted(resolving, stopped) : resolving;
    const atCapacity = slot?.forActor(actor.id);
    if (atCapacity) return { actor, atCapacity };
    const body = await readJsonBody(req, bridge.maxBodyBytes);
    const model = body.json.model;
    if (typeof model !== 'string') throw NO_MODEL;
    const providers = rules.find((rule) => rule.matches(model))?.providers;
    if (!providers) {
      counters.unmatched++;
      throw notRouted(name, model);
    }
    return { actor, body, providers };
  }

  /**
   * Tries the providers in order until one serves the request. Each provider tried gets the body as the client sent
   * it: a guard that edited the parsed body in place for the one before does not edit it twice.
   */
  async function tryProviders(req: Request, res: Response, { actor, body, providers, stopped }: Chosen & { stopped: AbortSignal }): Promise<void> {
    counters.routed++;
    for (let i = 0; i < providers.length; i++) {
      if (res.destroyed || stopped.aborted) return;
      const next = providers[i + 1]?.name;
      const own = i === 0 ? body : { raw: body.raw, json: parseObject(body.raw)! };
      if (await providers[i].handle(req, res, { name, actor, body: own, next })) return;
      counters.fallbacks++;
      bridge.logger.info('provider could not serve a routed request; trying the next one', { route: name, provider: providers[i].name, next });
    }
  }

  return async function modelRouteHandler(req: Request, res: Response): Promise<void> {
    // In flight from its arrival, as a provider's own request is: close() waits for a body still arriving, and past
    // its grace period answers it 503 (a provider's interception, once one runs, answers for itself).
    const stop = new AbortController();
    let choosing = true;
    const leave = bridge.inflight.enter((reason) => {
      stop.abort(reason);
      if (!choosing) return;
      sendGatewayError(res, errors, reason instanceof GatewayError ? reason : SHUTDOWN_ABORT);
      leave();
    });
    res.once('close', () => {
      if (!res.writableEnded) stop.abort(CLIENT_LEFT);
    });
    try {
      let chosen: Chosen | Refused;
      try {
        chosen = await choose(req, res, stop.signal);
      } catch (err) {
        if (stop.signal.aborted) return;
        if (err instanceof GatewayError) return sendGatewayError(res, errors, err);
        // A client that left while sending its body has no one to answer.
        if (isTransportError(err) && res.destroyed) return;
        throw err;
      }
      choosing = false;
      // close() gave up on it while it was being read, and answered it.
      if (stop.signal.aborted) return;
      if ('atCapacity' in chosen) {
        const { actor, atCapacity } = chosen;
        await refuser.handle(req, res, { name, actor, body: undefined, atCapacity, next: undefined });
        return;
      }
      await tryProviders(req, res, { ...chosen, stopped: stop.signal });
    } finally {
      leave();
    }
  };
}
