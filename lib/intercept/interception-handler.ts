/** The bridged-route pipeline shared by every API: actor → body → record → key walk → relay → record the end. */
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { GatewayError, errorTypeForStatus, gatewayErrorForTransport } from '../errors';
import type { AttemptTrace } from '../keypool/key-pool';
import type { CredentialPlan } from '../keypool/key-routing';
import { errorMessage } from '../observability/logger';
import type { InterceptionRecording } from '../recorder/safe-recorder';
import type { InterceptionEndedRecord } from '../recorder/types';
import { SHUTDOWN_ABORT, type BridgeRuntime, type ProviderRuntime } from '../runtime';
import { resolveActor } from './actor';
import type { ApiAdapter, ApiCall, RecordSink } from './api';
import { clientSessionId, detectClient } from './client-info';
import { readJsonBody } from './read-body';
import { relayBlocking, upstreamErrorMessage } from './relay-blocking';
import { relayStream, type StreamOutcome } from './relay-stream';
import { sendGatewayError } from './respond';
import { upstreamHeaders } from './upstream-headers';

export const INTERCEPTION_ID_HEADER = 'x-aibridge-interception-id';

/** After close() aborts a request, how long the pipeline has to end it itself before it is ended for it. */
const FORCED_END_MS = 250;

type Ending = Omit<InterceptionEndedRecord, 'id' | 'endedAt' | 'credentialHint'>;

function isEventStream(contentType: string | string[] | undefined): boolean {
  return typeof contentType === 'string' && contentType.startsWith('text/event-stream');
}

/** Builds the Express handler of one bridged API of one provider. */
export function createInterceptionHandler(provider: ProviderRuntime, api: ApiAdapter, bridge: BridgeRuntime) {
  const { adapter, client, keys, counters } = provider;
  const upstreamPath = client.basePath + api.route.slice(adapter.routePrefixInBaseURL.length);

  async function relay(call: ApiCall, plan: CredentialPlan, req: Request, res: Response, sink: RecordSink,
    headers: Record<string, string | string[]>, trace: AttemptTrace, signal: AbortSignal): Promise<Ending> {
    const queryAt = req.url.indexOf('?');
    const path = queryAt < 0 ? upstreamPath : upstreamPath + req.url.slice(queryAt);
    const upstream = await plan.run((credential) => {
      Object.assign(headers, adapter.credentialHeaders(credential.key));
      return client.send({ method: 'POST', path, headers, body: call.upstreamBody, signal });
    }, trace);
    const httpStatus = upstream.status;
    if (call.streaming && httpStatus === 200 && isEventStream(upstream.headers['content-type'])) {
      const observer = call.observeStream(sink);
      let outcome: StreamOutcome;
      try {
        outcome = await relayStream(upstream, res, observer, api, signal);
      } finally {
        observer.finish();
      }
      return { httpStatus, ...outcome };
    }
    const body = await relayBlocking(upstream, res);
    if (httpStatus >= 200 && httpStatus < 300) {
      if (!bridge.recorder.enabled) return { httpStatus, status: 'completed' };
      let answer: unknown;
      try {
        answer = JSON.parse(body.toString('utf8'));
      } catch {
        answer = undefined; // relayed as-is; nothing to record from a non-JSON answer
      }
      call.recordBlocking(answer, sink);
      return { httpStatus, status: 'completed' };
    }
    return { httpStatus, status: 'failed', errorType: errorTypeForStatus(httpStatus), errorMessage: upstreamErrorMessage(body) };
  }

  return async function interceptionHandler(req: Request, res: Response): Promise<void> {
    const abort = new AbortController();
    // Attached before the first await, so a client that leaves at any point is noticed.
    res.once('close', () => {
      if (!res.writableEnded) abort.abort();
    });
    const trace: AttemptTrace = { attempts: 0 };
    let recording: InterceptionRecording | undefined;
    let id = '';
    let concluded = false;
    const conclude = (ending: Ending): void => {
      if (concluded) return;
      concluded = true;
      if (recording) {
        counters.interceptions++;
        counters[ending.status]++;
        counters.upstreamAttempts += trace.attempts;
        counters.failovers += trace.failovers ?? 0;
        if (trace.exhausted) counters.keysExhausted++;
        recording.end({ id, endedAt: new Date(), credentialHint: trace.credential?.hint, ...ending });
      }
      leave(); // after the end record, so close() flushes it
    };
    const leave = bridge.inflight.enter((reason) => {
      abort.abort(reason);
      // The pipeline notices the abort within a turn or two, unless it waits on something that ignores the
      // signal (a hanging actor resolver or key state store, a client that stopped sending its body).
      setTimeout(() => concluded || conclude(fail(reason, res, abort.signal)), FORCED_END_MS).unref();
    });
    let ending: Ending;
    try {
      const actor = await resolveActor(bridge.actor, req, bridge.logger);
      const { raw, json } = await readJsonBody(req, bridge.maxBodyBytes);
      const call = api.prepare(json, raw);
      if (typeof call === 'string') throw new GatewayError(400, 'bad_request', 'invalid_request', call);
      // Nothing may be recorded for a request that was already ended for it.
      if (abort.signal.aborted) throw abort.signal.reason;
      id = randomUUID();
      res.setHeader(INTERCEPTION_ID_HEADER, id);
      const headers = upstreamHeaders(req.headers, actor, adapter.actorHeaders);
      const plan = keys.plan(req.headers);
      recording = bridge.recorder.open();
      if (bridge.recorder.enabled) {
        const userAgent = req.headers['user-agent'];
        recording.start({
          id, initiatorId: actor.id, metadata: actor.metadata, provider: adapter.kind, providerName: adapter.name,
          route: api.route, model: call.model, streaming: call.streaming, startedAt: new Date(), userAgent,
          client: detectClient(userAgent), clientSessionId: clientSessionId(req.headers), credentialKind: plan.kind,
        });
        if (call.prompt !== undefined) recording.promptUsage({ interceptionId: id, msgId: '', prompt: call.prompt, createdAt: new Date() });
      }
      ending = await relay(call, plan, req, res, { interceptionId: id, recording }, headers, trace, abort.signal);
    } catch (err) {
      if (concluded) return;
      ending = fail(err, res, abort.signal);
    }
    conclude(ending);
  };

  function fail(err: unknown, res: Response, signal: AbortSignal): Ending {
    if (signal.aborted) {
      if (signal.reason !== SHUTDOWN_ABORT) return { status: 'aborted', errorType: 'aborted', errorMessage: 'The client went away.' };
      return shutDown(res);
    }
    let error: GatewayError;
    if (err instanceof GatewayError) {
      error = err;
    } else if ((err as { code?: unknown })?.code !== undefined) {
      error = gatewayErrorForTransport(err);
      bridge.logger.warn('upstream request failed', { provider: adapter.name, error: errorMessage(err) });
    } else {
      bridge.logger.error('bridged request failed', { provider: adapter.name, error: errorMessage(err) });
      error = new GatewayError(500, 'unknown', 'internal_error', 'The gateway failed to handle this request.');
    }
    if (res.headersSent) {
      if (!res.writableEnded) res.end();
    } else {
      sendGatewayError(res, adapter, error);
    }
    return { httpStatus: error.status, status: 'failed', errorType: error.errorType, errorMessage: error.message };
  }

  /** Tells the client the gateway shut down: a `503` before the first byte, one error event after it. */
  function shutDown(res: Response): Ending {
    const { message, code, status } = SHUTDOWN_ABORT;
    let httpStatus: number | undefined;
    if (!res.headersSent) {
      httpStatus = status;
      sendGatewayError(res, adapter, SHUTDOWN_ABORT);
    } else if (!res.writableEnded) {
      res.end(api.streamErrorEvent({ message, type: 'server_error', code }));
    }
    return { httpStatus, status: 'aborted', errorType: 'aborted', errorMessage: message };
  }
}
