/** Admitting a passthrough call: who asks (the actor), whether the bridge takes it (capacity, `authorize`), whose state it names. */
import { resolveActor } from '../http/actor';
import { authorize } from '../pipeline/authorize';
import { counted } from '../pipeline/refusals';
import { recordWhenClosed } from './conclude';
import type { PassthroughCall } from './passthrough-call';

/** The actor, the record, the bridge's own refusals (`maxConcurrent`, `authorize`): before the body is read. */
export async function admit(call: PassthroughCall): Promise<void> {
  const { req, res, log, routePath, rule } = call;
  const { adapter, bridge, provider } = call.route;
  const actor = await resolveActor(bridge.actor, req, bridge.logger);
  call.actor = actor;
  log.actorId = actor.id;
  // The call's id names its record, its dump folder and its log lines.
  call.callId = bridge.recorder.enabled || bridge.dumps ? log.id : '';
  if (bridge.recorder.enabled) recordWhenClosed(call);
  const full = bridge.capacity?.enter(res, actor.id);
  if (full) throw counted(full, provider, bridge);
  if (bridge.authorize) {
    const interception = { actor, providerName: adapter.name, method: req.method, route: rule?.pattern ?? routePath, path: routePath };
    const authorizing = authorize({ kind: 'passthrough', interception, req }, provider, bridge);
    if (authorizing) await authorizing;
  }
}

/** Stored state reached with a pool key is its creator's alone: another actor naming it gets the upstream's own 404. */
export async function admitOwnership(call: PassthroughCall): Promise<void> {
  const named = call.scoped?.owned?.(call.routePath);
  if (named) await call.route.bridge.ownership.check({ provider: call.route.adapter.name, ...named }, call.actor.id, 'passthrough');
}
