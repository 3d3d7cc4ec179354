/** The end of a passthrough call, whenever its response closes: its metric, log line, span, timing and record. */
import type { Response } from 'express';
import { startTiming } from '../http/server-timing';
import { PassthroughLog } from '../observability/passthrough-log';
import type { PassthroughCall } from './passthrough-call';

/** Recorded as the status of a passthrough call whose client left before any answer (nginx's convention). */
const CLIENT_CLOSED = 499;

/** The status the client got, or 499 when it left before the answer began. */
function statusOf(res: Response): number {
  return res.headersSent ? res.statusCode : CLIENT_CLOSED;
}

/** Arms what is reported when the response closes (set up as the call arrives, before anything can fail). */
export function concludeWhenClosed(call: PassthroughCall): void {
  const { req, res, trace, log, span, started } = call;
  const { adapter, bridge } = call.route;
  const route = call.rule?.pattern;
  if (bridge.metrics) res.once('close', () => bridge.metrics!.passthroughEnded(adapter.name, route, req.method, statusOf(res), started));
  if (PassthroughLog.wanted(bridge.logger)) {
    res.once('close', () => log.ended({
      httpStatus: statusOf(res), durationMs: Date.now() - started, attempts: trace.attempts, credentialHint: trace.credential?.hint,
    }));
  }
  if (span) res.once('close', () => span.end(statusOf(res), trace.attempts, trace.credential?.hint, log.actorId));
  if (bridge.serverTiming) startTiming(res, trace, true);
}

/** One passthrough record once the response is over (or the client left), with what was learned by then. */
export function recordWhenClosed(call: PassthroughCall): void {
  const { req, res, trace, started, callId: id, routePath: path } = call;
  const { adapter, bridge } = call.route;
  const initiatorId = call.actor.id;
  res.once('close', () => {
    bridge.recorder.open().passthrough({
      id, initiatorId, providerName: adapter.name, method: req.method, path,
      httpStatus: statusOf(res), durationMs: Date.now() - started,
      credentialHint: trace.credential?.hint, createdAt: new Date(started),
    });
  });
}
