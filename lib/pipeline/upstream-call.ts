/** One upstream call of an interception: the key walk over its attempts, each sent (signed, dumped, traced), then decoded and owned. */
import type { UpstreamRequest, UpstreamResponse } from '../http/upstream-client';
import type { Credential } from '../keypool/key-pool';
import { upstreamOutcome } from '../governance/upstream-outcome';
import { ownStreamHead } from '../ownership/bridged-ownership';
import type { ResponseDecoder } from '../providers/provider-hooks';
import { runRequestHook } from '../providers/request-hook';
import { isEventStream, MAX_EVENT_BYTES } from '../streaming/event-stream';
import type { Interception } from './interception';

/**
 * One upstream call of `ix` with `body`: the credential plan's key walk (failover included), the provider's decoding
 * of the answer it settled on, then ownership of a stream's head.
 */
export async function callUpstream(ix: Interception, body: Buffer | string): Promise<UpstreamResponse> {
  // A signal only for a credential source that may make the walk wait (a static key never does).
  const signal = ix.provider.keys.pool.mayWaitForCredentials ? ix.signal : undefined;
  const walk = ix.plan.run((credential) => attempt(ix, credential, body), ix.trace, signal);
  let upstream = ix.circuit ? await judged(ix, walk) : await walk;
  ix.firstByteAt ??= Date.now();
  const decode = ix.provider.adapter.decodeResponse;
  if (decode) upstream = decoded(ix, decode, upstream);
  // What an answer creates is owned before the client (or the loop) sees it: outside the key walk, so a failing store never fails over.
  if (!ix.created || upstream.status !== 200 || !isEventStream(upstream.headers['content-type'])) return upstream;
  return ownStreamHead(upstream, ix.api.storedState!, ix.created, MAX_EVENT_BYTES);
}

/**
 * The key walk's answer, its outcome told to the circuit breaker as soon as its head is known (once: later calls of
 * the tool loop do not count), so that a probe's success closes the circuit before a long stream ends.
 */
async function judged(ix: Interception, walk: Promise<UpstreamResponse>): Promise<UpstreamResponse> {
  try {
    return await walk;
  } finally {
    ix.circuit!.settle(upstreamOutcome(ix.trace, ix.provider.adapter.circuitFailureStatuses));
  }
}

/** The answer as the provider's decoder re-frames it; a decoder that throws frees the connection first. */
function decoded(ix: Interception, decode: ResponseDecoder, upstream: UpstreamResponse): UpstreamResponse {
  try {
    return decode(upstream, { api: ix.api, call: ix.call });
  } catch (err) {
    upstream.discard();
    throw err;
  }
}

/** One attempt of the key walk with `credential`: its headers, its span, the provider's hooks. */
function attempt(ix: Interception, credential: Credential, body: Buffer | string): Promise<UpstreamResponse> {
  const { adapter } = ix.provider;
  Object.assign(ix.headers, credential.headers ?? adapter.credentialHeaders(credential.upstream, credential.kind));
  const span = ix.tracing?.attempt(ix.trace.attempts, credential.hint, ix.headers);
  const sent = adapter.prepareRequest
    ? preparedAttempt(ix, credential, body)
    : sendAttempt(ix, { method: 'POST', path: ix.path, headers: ix.headers, body, signal: ix.upstreamAbort }, credential);
  // Only providers with a screen wait for it: the others' answers go to the key walk as they came.
  const screen = adapter.screenResponse;
  const answered = screen ? sent.then(screen) : sent;
  return span ? span.settle(answered) : answered;
}

/** Sends one attempt as it is; with dumps on, the request and its answer are dumped too (the request as sent, now). */
function sendAttempt(ix: Interception, request: UpstreamRequest, credential: Credential): Promise<UpstreamResponse> {
  const sent = ix.provider.client.send(request);
  const dumps = ix.bridge.dumps;
  if (!dumps) return sent;
  ix.dumpFolder ??= dumps.folder(ix.id, ix.scrub);
  return ix.dumpFolder.attempt(request, credential.hint, sent);
}

/** An attempt the provider's request hook rewrites first (e.g. signs with the current time). */
async function preparedAttempt(ix: Interception, credential: Credential, body: Buffer | string): Promise<UpstreamResponse> {
  const { adapter } = ix.provider;
  const ctx = { credential, now: new Date(), signal: ix.signal, api: ix.api };
  const request = await runRequestHook(adapter.prepareRequest!, { method: 'POST', pathAndQuery: ix.path, headers: ix.headers, body }, ctx);
  return sendAttempt(ix, { ...request, signal: ix.upstreamAbort }, credential);
}
