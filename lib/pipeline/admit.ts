/** The first stage: who asks (actor), with which headers and body, under which credential plan; then the recording starts. */
import { GatewayError } from '../errors';
import { actorAtOnce, resolveActor } from '../http/actor';
import { untilAborted } from '../http/deadline';
import type { ApiCall } from '../apis/api';
import { readJsonBody } from '../http/read-body';
import { upstreamHeaders } from '../http/upstream-headers';
import { admitStoredState } from '../ownership/bridged-ownership';
import { encodedSegmentsPath, isUnsafePath } from '../http/path-guard';
import type { Interception } from './interception';
import { authorizeInterception } from './authorize';
import { counted } from './refusals';
import { bridgedContext, guardInterception, recordPrompt } from './guard';
import type { Actor } from '../http/actor-types';
import { Refusal } from '../errors';
import { logPrompt } from './interception-log';
import type { Limits } from '../governance/limits/limits';
import type { InterceptionRecord } from '../recorder/types';
import type { CredentialPlan } from '../keypool/key-routing';
import { timeOrderedId } from '../recorder/record-id';

export const INTERCEPTION_ID_HEADER = 'x-aibridge-interception-id';

/** Admits `ix`: fills in its actor, headers, call, plan and recording, or throws the refusal the client gets. */
export async function admit(ix: Interception): Promise<void> {
  const { req, res, route, bridge } = ix;
  const { adapter } = ix.provider;
  const { routed } = ix;
  // The bridge's slot first: requests waiting on a slow actor resolver are in flight too. Past capacity nothing more
  // is read: the body of a request that will not run is not worth the memory. A model route took the client
  // request's slots before reading its body (they hold across its providers), or found none.
  if (routed?.atCapacity) refuseAtCapacity(ix, routed.actor, routed.atCapacity);
  const slot = routed ? undefined : bridge.capacity?.enter(res);
  if (slot instanceof Refusal) refuseAtCapacity(ix, actorAtOnce(bridge.actor, req, bridge.logger), slot);
  // Most resolvers answer at once: then there is nothing to wait for. A model route asked already (its actor is
  // undefined only with `atCapacity`, refused above).
  const resolving = routed ? routed.actor! : resolveActor(bridge.actor, req, bridge.logger);
  // A client that leaves stops the wait (and gives its slot back): a resolver that never answers holds nothing then.
  const actor = resolving instanceof Promise ? await untilAborted(resolving, ix.signal) : resolving;
  const full = slot?.forActor(actor.id);
  if (full) refuseAtCapacity(ix, actor, full);
  const headers = upstreamHeaders(route.headerRule, req.headers, adapter.actorHeaders ? actor : undefined);
  let { raw, json } = routed?.body ?? await readJsonBody(req, bridge.maxBodyBytes);
  const call = ix.api.prepare(json, raw);
  if (typeof call === 'string') throw new GatewayError({ status: 400, errorType: 'bad_request', code: 'invalid_request', message: call });
  const upstreamPath = route.mapPath ? mappedPath(ix, call) : route.upstreamPath;
  // Nothing may be recorded for a request that was already ended for it.
  if (ix.aborted) throw ix.signal.reason;
  ix.id = timeOrderedId();
  res.setHeader(INTERCEPTION_ID_HEADER, ix.id);
  for (const [name, value] of route.defaultHeaders) if (headers[name] === undefined) headers[name] = value;
  ix.path = withQuery(upstreamPath, req.url);
  ix.actor = actor;
  ix.headers = headers;
  ix.call = call;
  ix.plan = planOf(ix);
  ix.scrub = bridge.redactor.forRequest(ix.plan.byokKey);
  const guard = bridge.guard?.hook;
  startRecording(ix, json, guard === undefined);
  if (bridge.authorize) {
    // Most hooks answer at once: then there is nothing to wait for.
    const authorizing = authorizeInterception(ix, ix.client);
    if (authorizing) await authorizing;
  }
  if (guard) {
    const guarding = guardInterception(ix, raw, json);
    const guarded = guarding instanceof Promise ? await guarding : guarding;
    if (guarded) {
      ({ raw, json } = guarded);
      // The provider may name the model in the path: the edited call's.
      if (route.mapPath) ix.path = withQuery(mappedPath(ix, ix.call), req.url);
    }
  }
  // After the guard: a prompt it masked is logged masked.
  logPrompt(ix);
  if (bridge.limits) await admitLimits(ix, bridge.limits);
  try {
    // BYOK requests are the upstream's business: the client's own key decides what it may name.
    if (ix.api.storedState && ix.plan.kind === 'centralized' && ix.api.storedState.inPlay?.(json) !== false) {
      const admitted = await admitStoredState({ guard: bridge.ownership, rules: ix.api.storedState, provider: adapter.name, actor: actor.id }, json, raw);
      if (admitted.raw) ix.call = ix.api.prepare(json, admitted.raw) as ApiCall;
      ix.created = admitted.created;
    }
    ix.tracing?.admitted(ix);
    // Last, so that a request another check refuses never takes the open circuit's one probe.
    if (bridge.breakers) ix.circuit = bridge.breakers.admit(adapter.name, ix.api.name, ix.call.model, actor.id);
  } catch (err) {
    // Refused after the limits admitted it (ownership, an open circuit): it does not count against them.
    ix.limits?.refund();
    throw err;
  }
}

/** The limits' admission: refused (thrown) before any key is used, or admitted holding its slots until the end. */
async function admitLimits(ix: Interception, limits: Limits): Promise<void> {
  let admission;
  try {
    admission = await limits.admit(ix.actor, ix.call.model, ix.api.errors.rateLimitHeaders);
  } catch (err) {
    throw err instanceof Refusal ? counted(err, ix.provider, ix.bridge) : err;
  }
  if (ix.aborted) {
    admission?.release();
    throw ix.signal.reason;
  }
  ix.limits = admission;
}

/** The request's credential plan: the pool's for a model route (a client's own key is never sent where it was not meant to go), else BYOK or the pool. */
function planOf({ routed, provider, req }: Interception): CredentialPlan {
  return routed ? provider.keys.pooled : provider.keys.plan(req.headers);
}

/** `path` with the query of the client's `url`, if it has one. */
function withQuery(path: string, url: string): string {
  const queryAt = url.indexOf('?');
  return queryAt < 0 ? path : path + url.slice(queryAt);
}

const UNUSABLE_PATH = new GatewayError({ status: 400, errorType: 'bad_request', code: 'invalid_request', message: 'The request names an upstream path the gateway will not send (check the model name).' });

/** The provider's own upstream path for this call, refused when it could be read as another path. */
function mappedPath({ route, api, provider }: Interception, call: ApiCall): string {
  const mapped = route.mapPath!({ api, call, path: route.defaultPath });
  // Segments are encoded here, whole: a `%2F` the bridge wrote inside one is not a separator a client smuggled in.
  const path = Array.isArray(mapped) ? encodedSegmentsPath(mapped) : mapped;
  if (typeof path !== 'string' || !path.startsWith('/') || (!Array.isArray(mapped) && isUnsafePath(path)) || path.includes('?') || path.includes('#')) throw UNUSABLE_PATH;
  return provider.client.basePath + path;
}

/**
 * Refuses a request past capacity, recorded as it stands: its actor, and no model (its body is never read). Past
 * `maxConcurrent` the actor is not waited for: one the resolver gave at once is recorded; a request whose actor would
 * need waiting for (or has none) is answered and counted, not recorded.
 */
function refuseAtCapacity(ix: Interception, actor: Actor | Promise<Actor> | undefined, refusal: Refusal): never {
  if (ix.signal.aborted) throw ix.signal.reason;
  if (actor === undefined || actor instanceof Promise) throw counted(refusal, ix.provider, ix.bridge);
  ix.id = timeOrderedId();
  ix.res.setHeader(INTERCEPTION_ID_HEADER, ix.id);
  ix.actor = actor;
  ix.plan = planOf(ix);
  startRecording(ix, undefined, false);
  throw counted(refusal, ix.provider, ix.bridge);
}

/**
 * Opens the interception's recording: its start record and, with `prompt`, the prompt, when the bridge records (with
 * a guard the prompt waits for its verdict). The record's detection of the client (with its session) is the
 * interception's: nothing detects it again.
 */
function startRecording(ix: Interception, body: unknown, prompt: boolean): void {
  const { req, bridge, call, actor, id } = ix;
  const recording = bridge.recorder.open();
  ix.recording = recording;
  recording.byokKey = ix.plan.byokKey;
  if (!bridge.recorder.enabled) {
    // Nothing is recorded, but the debug log holds no more than the mode allows.
    if (bridge.recordContent) bridge.recordContent.apply(recording, () => ({ interception: bridgedContext(ix), req }));
    return;
  }
  const userAgent = req.headers['user-agent'];
  const { client, sessionId } = bridge.clients.detect(req.headers, body);
  ix.client = client;
  const start: InterceptionRecord = {
    id, initiatorId: actor.id, metadata: actor.metadata, provider: ix.provider.adapter.kind, providerName: ix.providerName,
    route: ix.routed ? `/${ix.routed.name}${ix.api.route}` : ix.api.route, model: call?.model ?? '', streaming: call?.streaming ?? false, startedAt: new Date(), userAgent,
    client, clientSessionId: sessionId, credentialKind: ix.plan.kind,
    correlatingToolCallId: call?.correlatingToolCallId,
  };
  const upstreamModel = call && ix.provider.adapter.upstreamModel?.(call);
  if (upstreamModel !== undefined) start.upstreamModel = upstreamModel;
  if (bridge.recordContent) start.contentMode = bridge.recordContent.apply(recording, () => ({ interception: bridgedContext(ix, client), req }));
  recording.start(start);
  if (prompt) recordPrompt(ix);
}
