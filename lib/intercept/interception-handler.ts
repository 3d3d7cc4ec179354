/** The bridged-route pipeline shared by every API: actor → body → record → key walk → relay → record the end. */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import { GatewayError, errorTypeForStatus, gatewayErrorForTransport, isTransportError } from '../errors';
import type { AttemptTrace } from '../keypool/key-pool';
import type { CredentialPlan } from '../keypool/key-routing';
import { FAILURE_LOG_INTERVAL_MS, LogThrottle } from '../observability/log-throttle';
import { errorMessage } from '../observability/logger';
import type { InterceptionRecording } from '../recorder/safe-recorder';
import type { InterceptionEndedRecord } from '../recorder/types';
import { SHUTDOWN_ABORT, type BridgeRuntime, type ProviderRuntime } from '../runtime';
import { resolveActor } from './actor';
import type { ApiAdapter, ApiCall, RecordSink, StreamError } from './api';
import { clientSessionId, detectClient } from './client-info';
import { readJsonBody } from './read-body';
import { readUpstreamBody, sendUpstreamBody, upstreamErrorMessage } from './relay-blocking';
import { relayStream, streamFailure, type StreamContext, type StreamOutcome } from './relay-stream';
import { sendGatewayError } from './respond';
import { createHeaderRule } from '../upstream/headers';
import { upstreamHeaders } from './upstream-headers';
import { ClientStream } from '../streaming/client-stream';
import type { UpstreamResponse } from '../upstream/upstream-client';
import { runToolLoop } from '../tools/tool-loop';
import type { InjectedTool, ToolContext } from '../tools/types';
import type { Actor } from './actor';
import { relayResponseHeaders } from './respond';
import { MAX_EVENT_BYTES } from './relay-stream';
import { AccumulationBudget } from '../streaming/accumulation-budget';
import { admitStoredState, ownAnswer, ownStreamHead } from '../ownership/bridged-ownership';
import type { CreatedResponses } from '../ownership/ownership-guard';

export const INTERCEPTION_ID_HEADER = 'x-aibridge-interception-id';

/** After close() aborts a request, how long the pipeline has to end it itself before it is ended for it. */
const FORCED_END_MS = 250;

type Ending = Omit<InterceptionEndedRecord, 'id' | 'endedAt' | 'credentialHint'>;

const NO_TOOLS: readonly InjectedTool[] = [];
const NO_NAMES: readonly string[] = [];

const UNEXPECTED: Ending = { httpStatus: 500, status: 'failed', errorType: 'unknown', errorMessage: 'The gateway failed to handle this request.' };

function isEventStream(contentType: string | string[] | undefined): boolean {
  return typeof contentType === 'string' && contentType.startsWith('text/event-stream');
}

/** Builds the Express handler of one bridged API of one provider. */
export function createInterceptionHandler(provider: ProviderRuntime, api: ApiAdapter, bridge: BridgeRuntime) {
  const { adapter, client, keys, counters } = provider;
  const { redactor } = bridge;
  const upstreamPath = client.basePath + api.route.slice(adapter.routePrefixInBaseURL.length);
  const throttle = new LogThrottle(FAILURE_LOG_INTERVAL_MS);
  const defaultHeaders = Object.entries(adapter.defaultHeaders ?? {});
  /** A gateway error in the provider's words, for error events once a stream began. */
  const describe = (error: GatewayError): StreamError => ({ message: error.message, type: adapter.errorType(error), code: error.code });

  /** The tools to inject into this request: none when listing them failed. */
  async function injectedTools(toolContext: ToolContext, call: ApiCall): Promise<readonly InjectedTool[]> {
    try {
      const tools = await bridge.tools!.listTools(toolContext);
      return Array.isArray(tools) ? bridge.offeredTools!.select(tools, call.clientToolNames?.() ?? NO_NAMES, adapter.name) : NO_TOOLS;
    } catch (err) {
      // Serving the request without the central tools beats failing it.
      bridge.logger.warn('listing injected tools failed; relaying without them', { provider: adapter.name, error: errorMessage(err) });
      return [];
    }
  }
  const headerRule = createHeaderRule(bridge.dropHeaders);

  async function relay(call: ApiCall, plan: CredentialPlan, req: Request, res: Response, sink: RecordSink,
    headers: Record<string, string | string[]>, trace: AttemptTrace, signal: AbortSignal, actor: Actor,
    created: CreatedResponses | undefined): Promise<Ending> {
    const queryAt = req.url.indexOf('?');
    const path = queryAt < 0 ? upstreamPath : upstreamPath + req.url.slice(queryAt);
    const sendOnce = (body: Buffer | string) => plan.run((credential) => {
      Object.assign(headers, credential.headers ?? adapter.credentialHeaders(credential.key, credential.kind));
      return client.send({ method: 'POST', path, headers, body, signal });
    }, trace);
    // What an answer creates is owned before the client (or the loop) sees it: outside the key walk, so a failing store never fails over.
    const send = !created ? sendOnce : async (body: Buffer | string) => {
      const upstream = await sendOnce(body);
      if (upstream.status !== 200 || !isEventStream(upstream.headers['content-type'])) return upstream;
      return ownStreamHead(upstream, api.storedState!, created, MAX_EVENT_BYTES);
    };
    const scrub = redactor.forRequest(plan.byokKey);
    // Redacted as it is read, success included: a clean body (all of them, in practice) stays byte-identical.
    const readBody = !created ? (upstream: UpstreamResponse) => readUpstreamBody(upstream, bridge.maxResponseBytes, scrub) : async (upstream: UpstreamResponse) => {
      const body = await readUpstreamBody(upstream, bridge.maxResponseBytes, scrub);
      await ownAnswer(upstream.status, body, api.storedState!, created);
      return body;
    };
    const toolContext: ToolContext = { actor, providerName: adapter.name, model: call.model, signal };
    const relayHeaders = (out: ServerResponse, upstreamHeaders: IncomingHttpHeaders) => relayResponseHeaders(out, upstreamHeaders, scrub);
    // Without a host injector (or an API that takes tools) nothing is awaited: the plain relay stays as it was.
    const tools = bridge.tools && call.conversation ? await injectedTools(toolContext, call) : NO_TOOLS;
    const streamContext: StreamContext = {
      signal, interceptionId: sink.interceptionId, providerName: adapter.name, logger: bridge.logger, throttle, scrub, describe,
    };
    // One budget per interception: every observer of the request (every call of the loop) draws on it.
    const budget = call.streaming ? new AccumulationBudget(bridge.maxAccumulatedBytes) : undefined;
    if (tools.length > 0) {
      return runToolLoop({
        conversation: call.conversation!(tools, budget), streaming: call.streaming, tools, injector: bridge.tools!, toolContext, send,
        res, client: new ClientStream(res, relayHeaders, api.keepAliveEvent), relayHeaders,
        streamErrorEvent: api.streamErrorEvent, describe, errorMessageOf: upstreamErrorMessage, sink,
        readBody, scrub,
        midStreamFailure: (err) => streamFailure(err, streamContext),
        keepAliveMs: bridge.streamKeepAliveMs, maxEventBytes: MAX_EVENT_BYTES,
        maxToolResultBytes: bridge.maxToolResultBytes, maxBodyBytes: bridge.maxBodyBytes,
      });
    }
    const upstream = await send(call.upstreamBody);
    const httpStatus = upstream.status;
    if (call.streaming && httpStatus === 200 && isEventStream(upstream.headers['content-type'])) {
      const observer = call.observeStream(sink, budget);
      let outcome: StreamOutcome;
      try {
        outcome = await relayStream(upstream, res, observer, api, streamContext);
      } finally {
        observer.finish();
      }
      return { httpStatus, ...outcome };
    }
    const received = await readBody(upstream);
    if (httpStatus >= 200 && httpStatus < 300) {
      sendUpstreamBody(upstream, received, res, scrub);
      if (!bridge.recorder.enabled) return { httpStatus, status: 'completed' };
      let answer: unknown;
      try {
        answer = JSON.parse(received.toString('utf8'));
      } catch {
        answer = undefined; // relayed as-is; nothing to record from a non-JSON answer
      }
      call.recordBlocking(answer, sink);
      return { httpStatus, status: 'completed' };
    }
    sendUpstreamBody(upstream, received, res, scrub);
    return { httpStatus, status: 'failed', errorType: errorTypeForStatus(httpStatus), errorMessage: upstreamErrorMessage(received) };
  }

  return async function interceptionHandler(req: Request, res: Response): Promise<void> {
    const abort = new AbortController();
    // Attached before the first await, so a client that leaves at any point is noticed.
    res.once('close', () => {
      if (!res.writableEnded) abort.abort();
    });
    const trace: AttemptTrace = { scope: api.route, attempts: 0, log: [] };
    let recording: InterceptionRecording | undefined;
    let id = '';
    let concluded = false;
    const conclude = (ending: Ending): void => {
      if (concluded) return;
      concluded = true;
      try {
        record(ending);
      } finally {
        leave(); // after the end record, so close() flushes it; and always, so close() never waits forever
      }
    };
    const record = (ending: Ending): void => {
      if (recording) {
        counters.interceptions++;
        counters[ending.status]++;
        counters.upstreamAttempts += trace.attempts;
        counters.failovers += trace.failovers ?? 0;
        if (trace.exhausted) counters.keysExhausted++;
        recording.end({
          id, endedAt: new Date(), credentialHint: trace.credential?.hint, ...ending,
          ...(trace.log!.length > 0 ? { attempts: trace.log } : {}),
        });
      }
    };
    const leave = bridge.inflight.enter((reason) => {
      abort.abort(reason);
      // The pipeline notices the abort within a turn or two, unless it waits on something that ignores the
      // signal (a hanging actor resolver or key state store, a client that stopped sending its body).
      setTimeout(() => {
        if (concluded) return;
        try {
          conclude(fail(reason, res, abort.signal, trace));
        } catch {
          conclude(UNEXPECTED);
        }
      }, FORCED_END_MS).unref();
    });
    let ending: Ending;
    let unexpected: { failure: unknown } | undefined;
    try {
      const actor = await resolveActor(bridge.actor, req, bridge.logger);
      const headers = upstreamHeaders(headerRule, req.headers, actor, adapter.actorHeaders);
      const { raw, json } = await readJsonBody(req, bridge.maxBodyBytes);
      let call = api.prepare(json, raw);
      if (typeof call === 'string') throw new GatewayError({ status: 400, errorType: 'bad_request', code: 'invalid_request', message: call });
      // Nothing may be recorded for a request that was already ended for it.
      if (abort.signal.aborted) throw abort.signal.reason;
      id = randomUUID();
      res.setHeader(INTERCEPTION_ID_HEADER, id);
      for (const [name, value] of defaultHeaders) if (headers[name] === undefined) headers[name] = value;
      const plan = keys.plan(req.headers);
      recording = bridge.recorder.open();
      recording.byokKey = plan.byokKey;
      if (bridge.recorder.enabled) {
        const userAgent = req.headers['user-agent'];
        recording.start({
          id, initiatorId: actor.id, metadata: actor.metadata, provider: adapter.kind, providerName: adapter.name,
          route: api.route, model: call.model, streaming: call.streaming, startedAt: new Date(), userAgent,
          client: detectClient(userAgent), clientSessionId: clientSessionId(req.headers), credentialKind: plan.kind,
          correlatingToolCallId: call.correlatingToolCallId,
        });
        if (call.prompt !== undefined) recording.promptUsage({ interceptionId: id, msgId: '', prompt: call.prompt, createdAt: new Date() });
      }
      let created: CreatedResponses | undefined;
      // BYOK requests are the upstream's business: the client's own key decides what it may name.
      if (api.storedState && plan.kind === 'centralized') {
        const admitted = await admitStoredState(bridge.ownership, api.storedState, adapter.name, actor.id, json, raw);
        if (admitted.raw) call = api.prepare(json, admitted.raw) as ApiCall;
        created = admitted.created;
      }
      ending = await relay(call, plan, req, res, { interceptionId: id, recording }, headers, trace, abort.signal, actor, created);
    } catch (err) {
      if (concluded) return;
      try {
        ending = fail(err, res, abort.signal, trace);
      } catch (failure) {
        // Answering failed too: still record the end, then let the bridge's last resort answer.
        unexpected = { failure };
        ending = UNEXPECTED;
      }
    }
    conclude(ending);
    if (unexpected) throw unexpected.failure;
  };

  function fail(err: unknown, res: Response, signal: AbortSignal, trace: AttemptTrace): Ending {
    if (signal.aborted) {
      if (signal.reason !== SHUTDOWN_ABORT) return { status: 'aborted', errorType: 'aborted', errorMessage: 'The client went away.' };
      return shutDown(res);
    }
    let error: GatewayError;
    if (err instanceof GatewayError) {
      error = err;
    } else if (isTransportError(err)) {
      error = gatewayErrorForTransport(err);
      // The same upstream down fails every request: one line per interval says so, with how many were held back.
      const suppressed = throttle.allow(`${adapter.name}:${error.code}`);
      if (suppressed !== false) {
        bridge.logger.warn('upstream request failed', { provider: adapter.name, code: error.code, error: errorMessage(err), suppressed });
      }
    } else {
      bridge.logger.error('bridged request failed', { provider: adapter.name, error: errorMessage(err) });
      error = new GatewayError({ status: 500, errorType: 'unknown', code: 'internal_error', message: 'The gateway failed to handle this request.' });
    }
    if (res.headersSent) {
      // Only a stream is still open here: end it with the protocol's error event, never a silent clean end.
      if (!res.writableEnded) res.end(api.streamErrorEvent(describe(error)));
    } else {
      sendGatewayError(res, adapter, error);
    }
    return { httpStatus: error.status, status: 'failed', errorType: error.errorType, errorMessage: error.message };
  }

  /** Tells the client the gateway shut down: a `503` before the first byte, one error event after it. */
  function shutDown(res: Response): Ending {
    const { message, status } = SHUTDOWN_ABORT;
    let httpStatus: number | undefined;
    if (!res.headersSent) {
      httpStatus = status;
      sendGatewayError(res, adapter, SHUTDOWN_ABORT);
    } else if (!res.writableEnded) {
      res.end(api.streamErrorEvent(describe(SHUTDOWN_ABORT)));
    }
    return { httpStatus, status: 'aborted', errorType: 'aborted', errorMessage: message };
  }
}
