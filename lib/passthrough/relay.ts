/** Relaying a passthrough answer: a refusal or a creation read whole (bounded, redacted), anything else streamed redacted. */
import { GatewayError } from '../errors';
import { relayResponseHeaders, sendGatewayError } from '../http/respond';
import { readUpstreamBody, sendUpstreamBody } from '../http/whole-body';
import { stampServerTiming } from '../http/server-timing';
import { errorMessage } from '../observability/logger';
import { idOfAnswer } from '../ownership/answer-id';
import { redactingBody } from '../redaction/redacting-body';
import type { OwnedKind } from '../ownership/types';
import type { PassthroughCall } from './passthrough-call';
import { hasBody, type ProxiedResponse } from './proxied-response';

/** Sends `upstream` to the client; resolves once the answer is handed over (a streamed body may still be flowing). */
export async function relay(call: PassthroughCall, upstream: ProxiedResponse): Promise<void> {
  const { res, scrub } = call;
  if (upstream.status >= 400) {
    // An upstream that rejects a key may quote it back: error bodies are read (bounded) and redacted.
    const body = await readUpstreamBody(upstream, call.route.bridge.maxResponseBytes, scrub);
    sendUpstreamBody(upstream, body, { res, scrub });
    return;
  }
  const creates = call.scoped?.creates;
  if (creates && upstream.status < 300) return relayCreated(call, upstream, creates);
  relayStream(call, upstream);
}

/** The new id is owned before the client learns it: the (small JSON) answer is held until the owner is written. */
async function relayCreated(call: PassthroughCall, upstream: ProxiedResponse, kind: OwnedKind): Promise<void> {
  const { res, scrub } = call;
  const { adapter, bridge } = call.route;
  const received = await readUpstreamBody(upstream, bridge.maxResponseBytes, scrub);
  const id = idOfAnswer(received);
  if (id !== undefined) await bridge.ownership.record([{ provider: adapter.name, kind, id, owner: call.actor.id }]);
  sendUpstreamBody(upstream, received, { res, scrub });
}

/** Status, headers and the body as it arrives, redacted on the way; an upstream that breaks cuts the client too. */
function relayStream(call: PassthroughCall, upstream: ProxiedResponse): void {
  const { req, res, scrub } = call;
  const { adapter, bridge } = call.route;
  res.statusCode = upstream.status;
  relayResponseHeaders(res, upstream.headers, scrub);
  // A body is redacted as it passes (decoded already, if it came compressed), so its length is the bridge's to
  // frame. An answer without one keeps the head it came with, its encoding and length included.
  const redacting = hasBody(req.method, upstream.status);
  if (!redacting) {
    const { 'content-encoding': encoding, 'content-length': length } = upstream.headers;
    if (encoding !== undefined) res.setHeader('content-encoding', encoding);
    if (length !== undefined) res.setHeader('content-length', length);
  }
  stampServerTiming(res);
  // An upstream that breaks mid-body must cut the client too, never leave it waiting for the rest.
  // (Not stream.pipeline: it builds an AbortController and a DOMException per response, ~3% of a request.)
  const message = upstream.body;
  message.once('error', (err) => {
    if (!call.clientGone) call.log.log.warn('passthrough response broke', { provider: adapter.name, error: errorMessage(err) });
    if (res.headersSent || !(err instanceof GatewayError)) return void res.destroy();
    // Nothing reached the client yet (e.g. the total deadline before the first byte): answer in the provider's shape.
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    sendGatewayError(res, adapter, err);
  });
  if (!redacting) return void message.pipe(res);
  const redacted = redactingBody(scrub);
  redacted.once('error', (err) => {
    bridge.logger.warn('passthrough response broke', { provider: adapter.name, error: errorMessage(err) });
    message.destroy();
    res.destroy();
  });
  message.pipe(redacted).pipe(res);
  // The head goes with the body's first bytes, as when piped: the redaction may keep those back a while.
  message.once('data', () => res.flushHeaders());
}
