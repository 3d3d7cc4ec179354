/** The bridged-route pipeline shared by every API: actor → body → record → key walk → relay → record the end. */
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { GatewayError, errorTypeForStatus, gatewayErrorForTransport } from '../errors';
import type { AttemptTrace } from '../keypool/key-pool';
import type { CredentialPlan } from '../keypool/key-routing';
import { errorMessage } from '../observability/logger';
import type { InterceptionRecording } from '../recorder/safe-recorder';
import type { InterceptionEndedRecord } from '../recorder/types';
import type { BridgeRuntime, ProviderRuntime } from '../runtime';
import { resolveActor } from './actor';
import type { ApiAdapter, ApiCall, RecordSink } from './api';
import { clientSessionId, detectClient } from './client-info';
import { readJsonBody } from './read-body';
import { relayBlocking, upstreamErrorMessage } from './relay-blocking';
import { relayStream, type StreamOutcome } from './relay-stream';
import { sendGatewayError } from './respond';
import { upstreamHeaders } from './upstream-headers';

export const INTERCEPTION_ID_HEADER = 'x-aibridge-interception-id';

type Ending = Omit<InterceptionEndedRecord, 'id' | 'endedAt' | 'credentialHint'>;

const UNEXPECTED: Ending = { httpStatus: 500, status: 'failed', errorType: 'unknown', errorMessage: 'The gateway failed to handle this request.' };

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
    const leave = bridge.inflight.enter();
    const trace: AttemptTrace = { attempts: 0 };
    let recording: InterceptionRecording | undefined;
    let id = '';
    let ending: Ending;
    let unexpected: { failure: unknown } | undefined;
    try {
      const actor = await resolveActor(bridge.actor, req, bridge.logger);
      const { raw, json } = await readJsonBody(req, bridge.maxBodyBytes);
      const call = api.prepare(json, raw);
      if (typeof call === 'string') throw new GatewayError(400, 'bad_request', 'invalid_request', call);
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
      try {
        ending = fail(err, res, abort.signal);
      } catch (failure) {
        // Answering failed too: still record the end, then let the bridge's last resort answer.
        unexpected = { failure };
        ending = UNEXPECTED;
      }
    }
    try {
      if (recording) {
        counters.interceptions++;
        counters[ending.status]++;
        counters.upstreamAttempts += trace.attempts;
        counters.failovers += trace.failovers ?? 0;
        if (trace.exhausted) counters.keysExhausted++;
        recording.end({ id, endedAt: new Date(), credentialHint: trace.credential?.hint, ...ending });
      }
    } finally {
      leave(); // after the end record, so close() flushes it; and always, so close() never waits forever
    }
    if (unexpected) throw unexpected.failure;
  };

  function fail(err: unknown, res: Response, signal: AbortSignal): Ending {
    if (signal.aborted) return { status: 'aborted', errorType: 'aborted', errorMessage: 'The client went away.' };
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
      // Only a stream is still open here: end it with the protocol's error event, never a silent clean end.
      if (!res.writableEnded) res.end(api.streamErrorEvent({ message: error.message, type: error.errorType === 'unknown' ? 'server_error' : error.errorType, code: error.code }));
    } else {
      sendGatewayError(res, adapter, error);
    }
    return { httpStatus: error.status, status: 'failed', errorType: error.errorType, errorMessage: error.message };
  }
}
