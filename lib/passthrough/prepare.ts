/** Preparing a passthrough call: the headers under the bridge's rule, the body read once and framed, the credential plan. */
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../errors';
import { readBody } from '../http/read-body';
import { addActorHeaders } from '../http/upstream-headers';
import type { PassthroughCall } from './passthrough-call';

/** Methods whose bodies are refused rather than read: nothing upstream takes one, and a body is a smuggling vector. */
const BODYLESS = new Set(['GET', 'HEAD', 'DELETE']);

function declaresBody(headers: IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

/** What every attempt sends before its credential (headers, body), and how credentials are chosen (BYOK or pool). */
export async function prepare(call: PassthroughCall): Promise<void> {
  const { req, actor, log, rule } = call;
  const { adapter, bridge, provider, headerRule, defaultHeaders } = call.route;
  const bodyless = BODYLESS.has(req.method);
  if (bodyless && declaresBody(req.headers)) {
    throw new GatewayError({ status: 400, errorType: 'bad_request', code: 'body_not_allowed', message: `${req.method} requests to this route must not carry a body.` });
  }
  const headers = headerRule.forward(req.headers, false);
  const body = bodyless ? undefined : await readBody(req, bridge.maxBodyBytes);
  call.body = body?.raw;
  // A body the host's parser decoded goes up decoded; one read as it came keeps the client's encoding.
  call.bodyEncoding = body && !body.fromParser ? req.headers['content-encoding'] : undefined;
  if (body) {
    // Only bytes the bridge counted go up, framed by the bridge.
    headers['content-length'] = String(body.raw.length);
    if (body.fromParser) delete headers['content-encoding'];
    if (body.reserialized) headers['content-type'] = 'application/json';
  }
  if (adapter.actorHeaders) addActorHeaders(headers, actor);
  for (const [name, value] of defaultHeaders) if (headers[name] === undefined) headers[name] = value;
  call.headers = headers;

  const plan = provider.keys.plan(req.headers);
  call.plan = plan;
  call.scrub = bridge.redactor.forRequest(plan.byokKey);
  if (plan.byokKey !== undefined) log.maskByok(call.scrub);
  call.dump = bridge.dumps?.folder(call.callId, call.scrub);
  // BYOK requests' stored state is the upstream's business.
  call.scoped = plan.kind === 'centralized' ? rule : undefined;
}
