/** One passthrough request as its stages share it: created when it arrives, so a client leaving is noticed at once. */
import type { Request, Response } from 'express';
import { GatewayError, gatewayErrorForTransport } from '../errors';
import type { AttemptTrace } from '../keypool/key-pool';
import type { CredentialPlan } from '../keypool/key-routing';
import type { Actor } from '../http/actor';
import { sendGatewayError } from '../http/respond';
import { errorMessage } from '../observability/logger';
import { PassthroughLog } from '../observability/passthrough-log';
import type { PassthroughTrace } from '../observability/tracing/passthrough-trace';
import type { DumpFolder } from '../observability/dumps/dumps';
import type { KeyScrub } from '../redaction/redactor';
import type { PassthroughRule } from '../providers/types';
import { concludeWhenClosed } from './conclude';
import type { PassthroughRoute } from './passthrough-route';
import type { Attempt } from './upstream-proxy';

/** The failure an attempt ends with when its client went away first. */
export const ABORTED = new GatewayError({ status: 499, errorType: 'aborted', code: 'client_closed', message: 'The client went away.' });

/** What routing matched: the path relative to the provider's prefix, and the allowlist entry that admits it. */
export interface PassthroughMatch {
  routePath: string;
  rule?: PassthroughRule;
}

/** A request as it arrives at a passthrough route. */
export interface PassthroughArrival extends PassthroughMatch {
  req: Request;
  res: Response;
}

export class PassthroughCall {
  readonly started = Date.now();
  readonly req: Request;
  readonly res: Response;
  readonly routePath: string;
  readonly rule: PassthroughRule | undefined;
  readonly log: PassthroughLog;
  readonly trace: AttemptTrace;
  readonly span: PassthroughTrace | undefined;
  /** The upstream path: the base URL's path, the route without the provider's prefix, the client's query. */
  readonly upstreamPath: string;
  /** Only a provider with a request hook or credentials it may wait for gets (and pays for) a signal. */
  readonly hookAbort: AbortController | undefined;
  /** The attempt on the wire, cut when the client leaves. */
  current: Attempt | undefined;
  clientGone = false;

  // Known once admitted (admit.ts) and prepared (prepare.ts).
  actor!: Actor;
  /** Names the call's record, its dump folder and its log lines; empty when neither records nor dumps are on. */
  callId = '';
  /** What goes up on every attempt, before the credential's headers. */
  headers!: Record<string, string | string[]>;
  /** The client's body bytes as read (bounded), replayed on each attempt; none for a bodyless method. */
  body: Buffer | undefined;
  /** The `Content-Encoding` the body bytes are in, when the bridge read them as they came. */
  bodyEncoding: string | string[] | undefined;
  plan!: CredentialPlan;
  scrub!: KeyScrub;
  dump: DumpFolder | undefined;
  /** The matched rule when the request uses a pool key: stored state it reaches is then its creator's alone. */
  scoped: PassthroughRule | undefined;

  constructor(readonly route: PassthroughRoute, arrival: PassthroughArrival) {
    const { adapter, bridge, provider } = route;
    const { req, res } = arrival;
    this.req = req;
    this.res = res;
    this.routePath = arrival.routePath;
    this.rule = arrival.rule;
    this.log = new PassthroughLog({ logger: bridge.logger, provider: adapter.name, route: this.rule?.pattern, method: req.method, headers: req.headers, client: route.clientOf });
    const log = this.log;
    // The allowlist entry routing matched (`/v1/models/:id`) names the route in a missing-scope warning.
    this.trace = { scope: this.rule?.pattern, attempts: 0, get logger() { return log.log; } };
    // Started here, while the host's context (its own span, if any) is the active one.
    this.span = bridge.tracing?.passthrough(adapter, req.method, this.rule?.pattern);
    concludeWhenClosed(this);
    const queryAt = req.url.indexOf('?');
    this.upstreamPath = provider.client.basePath + this.routePath.slice(adapter.routePrefixInBaseURL.length) + (queryAt < 0 ? '' : req.url.slice(queryAt));
    this.hookAbort = route.needsSignal ? new AbortController() : undefined;
    res.once('close', () => {
      if (res.writableEnded) return;
      this.clientGone = true;
      this.hookAbort?.abort();
      this.cancelAttempt(ABORTED);
    });
    // Left when the response is over, not when the handler returns: the body is still being piped then.
    res.once('close', bridge.inflight.enter((reason) => {
      // close() stopped waiting for this request: no new attempt, cut the upstream, answer 503 (or cut a body being relayed).
      this.clientGone = true;
      this.hookAbort?.abort(reason);
      this.cancelAttempt(reason);
      if (res.headersSent) res.destroy();
      else sendGatewayError(res, adapter, reason as GatewayError);
    }));
  }

  /** A stage failed: the provider-shaped error, unless the client is gone (then nobody is listening). */
  fail(err: unknown): void {
    if (this.clientGone) return;
    const { adapter } = this.route;
    if (!(err instanceof GatewayError)) this.log.log.warn('passthrough request failed', { provider: adapter.name, error: errorMessage(err) });
    sendGatewayError(this.res, adapter, err instanceof GatewayError ? err : gatewayErrorForTransport(err));
  }

  private cancelAttempt(reason: unknown): void {
    const attempt = this.current;
    if (!attempt) return;
    attempt.cancelled = true;
    attempt.proxyReq?.destroy();
    attempt.reject(reason);
  }
}
