/** Allowlisted passthrough routes: proxied with http-proxy-middleware under the bridge's header rule, framing and key failover. */
import http from 'node:http';
import https from 'node:https';
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { Request, Response } from 'express';
import { createProxyMiddleware, type Plugin } from 'http-proxy-middleware';
import { GatewayError, Refusal, gatewayErrorForTransport } from '../errors';
import type { AttemptResult, AttemptTrace, Credential } from '../keypool/key-pool';
import { runRequestHook } from '../providers/request-hook';
import { resolveActor } from '../http/actor';
import { untilAborted } from '../http/deadline';
import { readBody } from '../http/read-body';
import { relayResponseHeaders, sendGatewayError } from '../http/respond';
import { readUpstreamBody, sendUpstreamBody } from '../http/whole-body';
import { startTiming, stampServerTiming } from '../http/server-timing';
import { decodeBody } from '../http/content-encoding';
import { addActorHeaders } from '../http/upstream-headers';
import { errorMessage } from '../observability/logger';
import type { BridgeRuntime, ProviderRuntime } from '../pipeline/runtime';
import { createHeaderRule } from '../http/header-rule';
import { outgoingRequest } from './outgoing-request';
import { totalDeadlineError } from '../http/attempt-deadline';
import { readBodyPrefix } from '../http/body-prefix';
import { armTimeouts } from './timeouts';
import type { PassthroughRule } from '../providers/types';
import { idOfAnswer } from '../ownership/answer-id';
import { checkNamedInBody } from './named-in-body';
import { authorize } from '../pipeline/authorize';
import { counted } from '../pipeline/refusals';
import { redactingBody } from '../redaction/redacting-body';
import { isClosedConnection } from '../http/stale-connection';
import type { DumpFolder, DumpRequest } from '../observability/dumps/dumps';
import { PassthroughLog } from '../observability/passthrough-log';

/** One proxied attempt's response, judged by the key walk before it reaches the client. */
interface ProxiedResponse extends AttemptResult {
  /** The upstream body: the message itself, or a replay of it once the key walk read its first bytes. */
  body: Readable;
}

function proxiedResponse(message: IncomingMessage): ProxiedResponse {
  const response: ProxiedResponse = {
    status: message.statusCode ?? 502, headers: message.headers, body: message,
    discard: () => (response.body === message ? message.resume() : response.body.destroy()),
    async peekBody(maxBytes) {
      // The key walk judges the words, not the encoding: an upstream ignoring `identity` must not make a scope 401
      // or a request-caused 429 look like a key failure. The decoded body (and its headers) are what is relayed then.
      const decoded = decodeBody(response.body, response.headers);
      const { prefix, body } = await readBodyPrefix(decoded.body, maxBytes);
      response.body = body;
      response.headers = decoded.headers;
      return prefix;
    },
  };
  return response;
}

/** One upstream attempt: its outcome, and a way to stop it when the client leaves. */
interface Attempt {
  response: Promise<ProxiedResponse>;
  resolve(r: ProxiedResponse): void;
  reject(err: unknown): void;
  proxyReq?: ClientRequest;
  cancelled?: boolean;
  /** Sends the attempt again on a new connection; present until used (once) or the answer's head arrived. */
  resend?: () => void;
}

/** Methods whose bodies are refused rather than read: nothing upstream takes one, and a body is a smuggling vector. */
const BODYLESS = new Set(['GET', 'HEAD', 'DELETE']);
/** Recorded as the status of a passthrough call whose client left before any answer (nginx's convention). */
const CLIENT_CLOSED = 499;
const ABORTED = new GatewayError({ status: 499, errorType: 'aborted', code: 'client_closed', message: 'The client went away.' });

/** Whether a `Content-Encoding` value leaves the body as it is (none, empty or `identity`, as decodeBody reads it). */
function isPlain(encoding: string | string[] | undefined): boolean {
  if (encoding === undefined) return true;
  const value = String(encoding).trim().toLowerCase();
  return value === '' || value === 'identity';
}

function declaresBody(headers: IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

/** Builds the passthrough handler of one provider (one proxy, one keep-alive agent, one header rule, made here once). */
export function createPassthroughHandler(provider: ProviderRuntime, bridge: BridgeRuntime) {
  const { adapter, client, keys } = provider;
  const { redactor } = bridge;
  const headerRule = createHeaderRule(bridge.dropHeaders);
  const totalTimeout = totalDeadlineError(adapter.timeouts.totalMs);
  const attempts = new WeakMap<IncomingMessage, Attempt>();
  const defaultHeaders = Object.entries(adapter.defaultHeaders ?? {});
  const origin = new URL(client.origin);
  // Parsed once here: http-proxy would re-parse a string target on every request.
  const target = { protocol: origin.protocol, hostname: origin.hostname, host: origin.host, port: origin.port };
  // A client leaving while its request waits for a credential (a token exchange) ends the wait: nothing goes upstream.
  const needsSignal = !!adapter.prepareRequest || keys.pool.mayWaitForCredentials;
  const agent = origin.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const clientOf = (headers: IncomingHttpHeaders) => bridge.clients.detect(headers).client;

  const hooks: Plugin<Request, Response> = (proxyServer) => {
    // Headers and body are decided before http-proxy sees the request (see outgoingRequest); this only arms deadlines.
    proxyServer.on('proxyReq', (proxyReq: ClientRequest, req: Request) => {
      const attempt = attempts.get(req);
      if (!attempt) return;
      attempt.proxyReq = proxyReq;
      if (attempt.cancelled) proxyReq.destroy();
      else armTimeouts(proxyReq, adapter.timeouts, totalTimeout);
    });
    proxyServer.on('proxyRes', (message: IncomingMessage, req: Request) => {
      const attempt = attempts.get(req);
      if (!attempt) return;
      attempt.resend = undefined;
      attempt.resolve(proxiedResponse(message));
    });
    proxyServer.on('error', (err: Error, req: Request) => {
      const attempt = attempts.get(req);
      if (!attempt) return;
      const { resend, proxyReq } = attempt;
      // A kept-alive connection the upstream closed as it was reused: once more, on a new connection.
      if (resend && !attempt.cancelled && proxyReq?.reusedSocket && isClosedConnection(err)) {
        attempt.resend = undefined;
        attempt.proxyReq = undefined;
        return resend();
      }
      attempt.reject(err);
    });
    proxyServer.on('econnreset', (err: Error, req: Request) => attempts.get(req)?.reject(err));
  };

  const proxy = createProxyMiddleware<Request, Response>({
    target, changeOrigin: true, selfHandleResponse: true, ejectPlugins: true, plugins: [hooks], agent,
  });

  function start(req: Request, res: Response, url: string, headers: Record<string, string | string[]>, body: Buffer | undefined, method = req.method): Attempt {
    const attempt = {} as Attempt;
    attempt.response = new Promise<ProxiedResponse>((resolve, reject) => {
      attempt.resolve = resolve;
      attempt.reject = reject;
    });
    const send = () => {
      const outgoing = outgoingRequest(req, method, url, headers, body) as Request;
      attempts.set(outgoing, attempt);
      proxy(outgoing, res, attempt.reject).catch(attempt.reject);
    };
    attempt.resend = send;
    send();
    return attempt;
  }

  /** One passthrough record once the response is over (or the client left), with what was learned by then. */
  function recordWhenDone(req: Request, res: Response, id: string, path: string, initiatorId: string, started: number, trace: AttemptTrace): void {
    res.once('close', () => {
      bridge.recorder.open().passthrough({
        id, initiatorId, providerName: adapter.name, method: req.method, path,
        httpStatus: res.headersSent ? res.statusCode : CLIENT_CLOSED, durationMs: Date.now() - started,
        credentialHint: trace.credential?.hint, createdAt: new Date(started),
      });
    });
  }

  async function passthroughHandler(req: Request, res: Response, routePath: string, rule?: PassthroughRule): Promise<void> {
    const started = Date.now();
    if (bridge.metrics) res.once('close', () => bridge.metrics!.passthroughEnded(adapter.name, rule?.pattern, req.method, res.headersSent ? res.statusCode : CLIENT_CLOSED, started));
    const log = new PassthroughLog({ logger: bridge.logger, provider: adapter.name, route: rule?.pattern, method: req.method, headers: req.headers, client: clientOf });
    // The allowlist entry routing matched (`/v1/models/:id`) names the route in a missing-scope warning.
    const trace: AttemptTrace = { scope: rule?.pattern, attempts: 0, get logger() { return log.log; } };
    if (PassthroughLog.wanted(bridge.logger)) {
      res.once('close', () => log.ended({
        httpStatus: res.headersSent ? res.statusCode : CLIENT_CLOSED, durationMs: Date.now() - started, attempts: trace.attempts, credentialHint: trace.credential?.hint,
      }));
    }
    // Started here, while the host's context (its own span, if any) is the active one.
    const span = bridge.tracing?.passthrough(adapter, req.method, rule?.pattern);
    if (span) res.once('close', () => span.end(res.headersSent ? res.statusCode : CLIENT_CLOSED, trace.attempts, trace.credential?.hint, log.actorId));
    if (bridge.serverTiming) startTiming(res, trace, true);
    const queryAt = req.url.indexOf('?');
    const upstreamPath = client.basePath + routePath.slice(adapter.routePrefixInBaseURL.length) + (queryAt < 0 ? '' : req.url.slice(queryAt));
    let current: Attempt | undefined;
    let clientGone = false;
    // Only a provider with a request hook or credentials it may wait for gets (and pays for) a signal.
    const hookAbort = needsSignal ? new AbortController() : undefined;
    res.once('close', () => {
      if (res.writableEnded) return;
      clientGone = true;
      hookAbort?.abort();
      if (!current) return;
      current.cancelled = true;
      current.proxyReq?.destroy();
      current.reject(ABORTED);
    });
    // Left when the response is over, not when this function returns: the body is still being piped then.
    res.once('close', bridge.inflight.enter((reason) => {
      // close() stopped waiting for this request: no new attempt, cut the upstream, answer 503 (or cut a body being relayed).
      clientGone = true;
      hookAbort?.abort(reason);
      if (current) {
        current.cancelled = true;
        current.proxyReq?.destroy();
        current.reject(reason);
      }
      if (res.headersSent) res.destroy();
      else sendGatewayError(res, adapter, reason as GatewayError);
    }));
    /** One attempt the provider's request hook rewrites first (e.g. signs with the current time). */
    async function preparedAttempt(credential: Credential, attemptHeaders: Record<string, string | string[]>): Promise<ProxiedResponse> {
      const ctx = { credential, now: new Date(), signal: hookAbort!.signal };
      const hooked = await runRequestHook(adapter.prepareRequest!, req.method, upstreamPath, attemptHeaders, rawBody, ctx);
      if (clientGone) throw ABORTED;
      const sent = hooked.body.length > 0 || rawBody !== undefined ? hooked.body : undefined;
      if (sent) hooked.headers['content-length'] = String(sent.length);
      current = start(req, res, hooked.path, hooked.headers, sent, hooked.method);
      return dumped({ method: hooked.method, path: hooked.path, headers: hooked.headers, body: sent }, credential, current.response);
    }
    /** The attempt's answer, dumped with its request when dumps are on. */
    function dumped(request: DumpRequest, credential: Credential, response: Promise<ProxiedResponse>): Promise<ProxiedResponse> {
      return dump ? dump.attempt(request, credential.hint, response) : response;
    }
    let rawBody: Buffer | undefined;
    let dump: DumpFolder | undefined;

    try {
      // The bridge's slot before the actor: requests waiting on a slow resolver are in flight too.
      const slot = bridge.capacity?.enter(res);
      if (slot instanceof Refusal) throw counted(slot, provider, bridge);
      const resolving = resolveActor(bridge.actor, req, bridge.logger);
      // A client that leaves stops the wait: a resolver that never answers holds nothing then.
      const actor = resolving instanceof Promise ? await untilAborted(resolving, closeSignal(res)) : resolving;
      log.actorId = actor.id;
      // The call's id names its record, its dump folder and its log lines.
      const callId = bridge.recorder.enabled || bridge.dumps ? log.id : '';
      if (bridge.recorder.enabled) recordWhenDone(req, res, callId, routePath, actor.id, started, trace);
      const full = slot?.forActor(actor.id);
      if (full) throw counted(full, provider, bridge);
      if (bridge.authorize) {
        const interception = { actor, providerName: adapter.name, method: req.method, route: rule?.pattern ?? routePath, path: routePath };
        const authorizing = authorize({ kind: 'passthrough', interception, req }, provider, bridge);
        if (authorizing) await authorizing;
      }
      const bodyless = BODYLESS.has(req.method);
      if (bodyless && declaresBody(req.headers)) {
        throw new GatewayError({ status: 400, errorType: 'bad_request', code: 'body_not_allowed', message: `${req.method} requests to this route must not carry a body.` });
      }
      const headers = headerRule.forward(req.headers, false);
      const body = bodyless ? undefined : await readBody(req, bridge.maxBodyBytes);
      rawBody = body?.raw;
      if (body) {
        // Only bytes the bridge counted go up, framed by the bridge.
        headers['content-length'] = String(body.raw.length);
        if (body.fromParser) delete headers['content-encoding'];
        if (body.reserialized) headers['content-type'] = 'application/json';
      }
      if (adapter.actorHeaders) addActorHeaders(headers, actor);
      for (const [name, value] of defaultHeaders) if (headers[name] === undefined) headers[name] = value;

      const plan = keys.plan(req.headers);
      const scrub = redactor.forRequest(plan.byokKey);
      if (plan.byokKey !== undefined) log.maskByok(scrub);
      dump = bridge.dumps?.folder(callId, scrub);
      // Stored state reached with a pool key is its creator's alone; BYOK requests are the upstream's business.
      const scoped = plan.kind === 'centralized' ? rule : undefined;
      const named = scoped?.owned?.(routePath);
      if (named) await bridge.ownership.check({ provider: adapter.name, ...named }, actor.id, 'passthrough');
      if (scoped && body) await checkNamedInBody(scoped, body.raw, body.fromParser ? undefined : req.headers['content-encoding'], bridge.ownership, adapter.name, actor.id);
      const upstream = await plan.run((credential) => {
        if (clientGone) return Promise.reject(ABORTED);
        const attemptHeaders = { ...headers, ...(credential.headers ?? adapter.credentialHeaders(credential.upstream, credential.kind)) };
        span?.inject(attemptHeaders);
        if (adapter.prepareRequest) return preparedAttempt(credential, attemptHeaders);
        current = start(req, res, upstreamPath, attemptHeaders, body?.raw);
        return dumped({ method: req.method, path: upstreamPath, headers: attemptHeaders, body: body?.raw }, credential, current.response);
      }, trace, hookAbort?.signal);
      if (upstream.status >= 400) {
        // An upstream that rejects a key may quote it back: error bodies are decoded, read (bounded) and redacted.
        const decoded = decodeBody(upstream.body, upstream.headers);
        const body = await readUpstreamBody(decoded, bridge.maxResponseBytes, scrub);
        sendUpstreamBody({ status: upstream.status, headers: decoded.headers }, body, { res, scrub });
        return;
      }
      const creates = scoped?.creates;
      if (creates && upstream.status < 300) {
        // The new id is owned before the client learns it: the (small JSON) answer is held until the owner is written.
        const decoded = decodeBody(upstream.body, upstream.headers);
        const received = await readUpstreamBody(decoded, bridge.maxResponseBytes, scrub);
        const id = idOfAnswer(received);
        if (id !== undefined) await bridge.ownership.record([{ provider: adapter.name, kind: creates, id, owner: actor.id }]);
        sendUpstreamBody({ status: upstream.status, headers: decoded.headers }, received, { res, scrub });
        return;
      }
      res.statusCode = upstream.status;
      relayResponseHeaders(res, upstream.headers, scrub);
      // Relayed as received, so with the header that says how it is encoded (it is garbage to the client without it).
      const encoding = upstream.headers['content-encoding'];
      if (encoding !== undefined) res.setHeader('content-encoding', encoding);
      // A body the bridge can read is redacted as it passes, so its length is the bridge's to frame (an encoded one is
      // relayed as received, length included).
      const redacting = isPlain(encoding) && req.method !== 'HEAD' && upstream.status !== 204 && upstream.status !== 304;
      const length = upstream.headers['content-length'];
      if (length !== undefined && !redacting) res.setHeader('content-length', length);
      stampServerTiming(res);
      // An upstream that breaks mid-body must cut the client too, never leave it waiting for the rest.
      // (Not stream.pipeline: it builds an AbortController and a DOMException per response, ~3% of a request.)
      const message = upstream.body;
      message.once('error', (err) => {
        if (!clientGone) log.log.warn('passthrough response broke', { provider: adapter.name, error: errorMessage(err) });
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
    } catch (err) {
      if (clientGone) return;
      if (!(err instanceof GatewayError)) log.log.warn('passthrough request failed', { provider: adapter.name, error: errorMessage(err) });
      sendGatewayError(res, adapter, err instanceof GatewayError ? err : gatewayErrorForTransport(err));
    }
  }

  return { handle: passthroughHandler, close: () => agent.destroy() };
}

/** Aborted (with `ABORTED`) when the response closes: its client left, or it was answered. */
function closeSignal(res: Response): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => controller.abort(ABORTED));
  return controller.signal;
}
