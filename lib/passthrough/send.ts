/** Sending a passthrough call: one attempt per credential the key walk tries, each rewritten by the provider's hook, each dumped. */
import type { Credential } from '../keypool/key-pool';
import { runRequestHook } from '../providers/request-hook';
import type { AttemptRequest } from './outgoing-request';
import { ABORTED, type PassthroughCall } from './passthrough-call';
import type { ProxiedResponse } from './proxied-response';

/** The answer the key walk settles on: a success, or the refusal it gives up with (the last key's, or a client error). */
export function sendWithFailover(call: PassthroughCall): Promise<ProxiedResponse> {
  const { adapter } = call.route;
  return call.plan.run((credential) => {
    if (call.clientGone) return Promise.reject(ABORTED);
    const headers = { ...call.headers, ...(credential.headers ?? adapter.credentialHeaders(credential.upstream, credential.kind)) };
    call.span?.inject(headers);
    if (adapter.prepareRequest) return hookedAttempt(call, credential, headers);
    return sendAttempt(call, credential, { method: call.req.method, path: call.upstreamPath, headers, body: call.body });
  }, call.trace, call.hookAbort?.signal);
}

/** One attempt the provider's request hook rewrites first (e.g. signs with the current time). */
async function hookedAttempt(call: PassthroughCall, credential: Credential, headers: Record<string, string | string[]>): Promise<ProxiedResponse> {
  const { req, upstreamPath, body } = call;
  const ctx = { credential, now: new Date(), signal: call.hookAbort!.signal };
  const hooked = await runRequestHook(call.route.adapter.prepareRequest!, { method: req.method, pathAndQuery: upstreamPath, headers, body }, ctx);
  if (call.clientGone) throw ABORTED;
  const sent = hooked.body.length > 0 || body !== undefined ? hooked.body : undefined;
  if (sent) hooked.headers['content-length'] = String(sent.length);
  return sendAttempt(call, credential, { method: hooked.method, path: hooked.path, headers: hooked.headers, body: sent });
}

/** Puts `request` on the wire as the call's current attempt; its answer is dumped with it when dumps are on. */
function sendAttempt(call: PassthroughCall, credential: Credential, request: AttemptRequest): Promise<ProxiedResponse> {
  call.current = call.route.proxy.start(call.req, call.res, request);
  const { response } = call.current;
  return call.dump ? call.dump.attempt(request, credential.hint, response) : response;
}
