/** The first stage: who asks (actor), with which headers and body, under which credential plan; then the recording starts. */
import { GatewayError } from '../errors';
import { resolveActor } from '../http/actor';
import type { ApiCall } from '../apis/api';
import { readJsonBody } from '../http/read-body';
import { upstreamHeaders } from '../http/upstream-headers';
import { admitStoredState } from '../ownership/bridged-ownership';
import { isUnsafePath } from '../http/path-guard';
import type { Interception } from './interception';
import { authorizeInterception } from './authorize';
import { counted } from './refusals';
import { bridgedContext, guardInterception, recordPrompt } from './guard';
import type { Actor } from '../http/actor-types';
import { Refusal } from '../errors';
import { logPrompt } from './interception-log';
import type { Limits } from '../governance/limits/limits';
import type { InterceptionRecord } from '../recorder/types';
import { timeOrderedId } from '../recorder/record-id';

export const INTERCEPTION_ID_HEADER = 'x-aibridge-interception-id';

/** Admits `ix`: fills in its actor, headers, call, plan and recording, or throws the refusal the client gets. */
export async function admit(ix: Interception): Promise<void> {
  const { req, res, route, bridge } = ix;
  const { adapter, keys } = ix.provider;
  // Most resolvers answer at once: then there is nothing to wait for.
  const resolving = resolveActor(bridge.actor, req, bridge.logger);
  const actor = resolving instanceof Promise ? await resolving : resolving;
  // Past capacity nothing more is read: the body of a request that will not run is not worth the memory.
  const full = bridge.capacity?.enter(res, actor.id);
  if (full) refuseAtCapacity(ix, actor, full);
  const headers = upstreamHeaders(route.headerRule, req.headers, adapter.actorHeaders ? actor : undefined);
  let { raw, json } = await readJsonBody(req, bridge.maxBodyBytes);
  const call = ix.api.prepare(json, raw);
  if (typeof call === 'string') throw new GatewayError({ status: 400, errorType: 'bad_request', code: 'invalid_request', message: call });
  const upstreamPath = route.mapPath ? mappedPath(ix, call) : route.upstreamPath;
  // Nothing may be recorded for a request that was already ended for it.
  if (ix.signal.aborted) throw ix.signal.reason;
  ix.id = timeOrderedId();
  res.setHeader(INTERCEPTION_ID_HEADER, ix.id);
  for (const [name, value] of route.defaultHeaders) if (headers[name] === undefined) headers[name] = value;
  ix.path = withQuery(upstreamPath, req.url);
  ix.actor = actor;
  ix.headers = headers;
  ix.call = call;
  ix.plan = keys.plan(req.headers);
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
      const admitted = await admitStoredState(bridge.ownership, ix.api.storedState, adapter.name, actor.id, json, raw);
      if (admitted.raw) ix.call = ix.api.prepare(json, admitted.raw) as ApiCall;
      ix.created = admitted.created;
    }
    ix.toolContext = { actor, providerName: adapter.name, model: ix.call.model, signal: ix.signal, clientHasTools: ix.call.clientHasTools === true };
    ix.tracing?.admitted(ix);
    // Last, so that a request another check refuses never takes the open circuit's one probe.
    if (bridge.breakers) ix.circuit = bridge.breakers.admit(adapter.name, ix.api.name, ix.call.model);
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
  if (ix.signal.aborted) {
    admission?.release();
    throw ix.signal.reason;
  }
  ix.limits = admission;
}

/** `path` with the query of the client's `url`, if it has one. */
function withQuery(path: string, url: string): string {
  const queryAt = url.indexOf('?');
  return queryAt < 0 ? path : path + url.slice(queryAt);
}

const UNUSABLE_PATH = new GatewayError({ status: 400, errorType: 'bad_request', code: 'invalid_request', message: 'The request names an upstream path the gateway will not send (check the model name).' });

/** The provider's own upstream path for this call, refused when it could be read as another path. */
function mappedPath({ route, api, provider }: Interception, call: ApiCall): string {
  const path = route.mapPath!({ api, call, path: route.defaultPath });
  if (typeof path !== 'string' || !path.startsWith('/') || isUnsafePath(path) || path.includes('?') || path.includes('#')) throw UNUSABLE_PATH;
  return provider.client.basePath + path;
}

/** Refuses a request past capacity, recorded as it stands: its actor, and no model (its body is never read). */
function refuseAtCapacity(ix: Interception, actor: Actor, refusal: Refusal): never {
  if (ix.signal.aborted) throw ix.signal.reason;
  ix.id = timeOrderedId();
  ix.res.setHeader(INTERCEPTION_ID_HEADER, ix.id);
  ix.actor = actor;
  ix.plan = ix.provider.keys.plan(ix.req.headers);
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
  if (!bridge.recorder.enabled) return;
  const userAgent = req.headers['user-agent'];
  const { client, sessionId } = bridge.clients.detect(req.headers, body);
  ix.client = client;
  const start: InterceptionRecord = {
    id, initiatorId: actor.id, metadata: actor.metadata, provider: ix.provider.adapter.kind, providerName: ix.providerName,
    route: ix.api.route, model: call?.model ?? '', streaming: call?.streaming ?? false, startedAt: new Date(), userAgent,
    client, clientSessionId: sessionId, credentialKind: ix.plan.kind,
    correlatingToolCallId: call?.correlatingToolCallId,
  };
  if (bridge.recordContent) start.contentMode = bridge.recordContent.apply(recording, () => ({ interception: bridgedContext(ix, client), req }));
  recording.start(start);
  if (prompt) recordPrompt(ix);
}
