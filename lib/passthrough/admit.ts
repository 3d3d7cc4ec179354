/** Admitting a passthrough call: who asks (the actor), whether the bridge takes it (capacity, `authorize`), whose state it names. */
import type { Response } from 'express';
import { Refusal } from '../errors';
import { actorAtOnce, resolveActor, type Actor } from '../http/actor';
import { untilAborted } from '../http/deadline';
import { authorize } from '../pipeline/authorize';
import { counted } from '../pipeline/refusals';
import { recordWhenClosed } from './conclude';
import { checkNamedInBody } from './named-in-body';
import { ABORTED, type PassthroughCall } from './passthrough-call';

/** The actor, the record, the bridge's own refusals (`maxConcurrent`, `authorize`): before the body is read. */
export async function admit(call: PassthroughCall): Promise<void> {
  const { req, res, routePath, rule } = call;
  const { adapter, bridge, provider } = call.route;
  // The bridge's slot before the actor: requests waiting on a slow resolver are in flight too. A refused request is
  // recorded only when its actor comes at once: a slow resolver is never waited for past capacity.
  const slot = bridge.capacity?.enter(res);
  if (slot instanceof Refusal) {
    const known = actorAtOnce(bridge.actor, req, bridge.logger);
    if (known) identify(call, known);
    throw counted(slot, provider, bridge);
  }
  const resolving = resolveActor(bridge.actor, req, bridge.logger);
  // A client that leaves stops the wait: a resolver that never answers holds nothing then.
  const actor = resolving instanceof Promise ? await untilAborted(resolving, closeSignal(res)) : resolving;
  identify(call, actor);
  const full = slot?.forActor(actor.id);
  if (full) throw counted(full, provider, bridge);
  if (bridge.authorize) {
    const interception = { actor, providerName: adapter.name, method: req.method, route: rule?.pattern ?? routePath, path: routePath };
    const authorizing = authorize({ kind: 'passthrough', interception, req }, provider, bridge);
    if (authorizing) await authorizing;
  }
}

/** The call's actor, and from then on its id and record. */
function identify(call: PassthroughCall, actor: Actor): void {
  const { bridge } = call.route;
  call.actor = actor;
  call.log.actorId = actor.id;
  // The call's id names its record, its dump folder and its log lines.
  call.callId = bridge.recorder.enabled || bridge.dumps ? call.log.id : '';
  if (bridge.recorder.enabled) recordWhenClosed(call);
}

/** Aborted (with `ABORTED`) when the response closes: its client left, or it was answered. */
function closeSignal(res: Response): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => controller.abort(ABORTED));
  return controller.signal;
}

/**
 * Stored state reached with a pool key is its creator's alone: another actor naming it, in the path or in the body
 * (a conversation's item references), gets the upstream's own 404.
 */
export async function admitOwnership(call: PassthroughCall): Promise<void> {
  const named = call.scoped?.owned?.(call.routePath);
  if (named) await call.route.bridge.ownership.check({ provider: call.route.adapter.name, ...named }, call.actor.id, 'passthrough');
  await checkNamedInBody(call);
}
