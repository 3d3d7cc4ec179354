/** The Interception: one bridged request from admission to its end record, the one object every stage receives. */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import type { Logger } from 'winston';
import type { StreamError, GatewayError } from '../errors';
import type { Actor } from '../http/actor-types';
import type { ApiAdapter, ApiCall } from '../apis/api';
import { readUpstreamBody, sendUpstreamBody } from '../http/whole-body';
import { relayResponseHeaders } from '../http/respond';
import { startTiming, type RequestTiming } from '../http/server-timing';
import type { AttemptTrace, Credential } from '../keypool/key-pool';
import type { CredentialPlan } from '../keypool/key-routing';
import { ownAnswer } from '../ownership/bridged-ownership';
import type { CreatedResponses } from '../ownership/ownership-guard';
import type { RecordSink } from '../recorder/record-sink';
import type { InterceptionRecording } from '../recorder/safe-recorder';
import type { InterceptionEndedRecord, UpstreamAttempt } from '../recorder/types';
import type { KeyScrub } from '../redaction/redactor';
import type { BridgeRuntime, ProviderRuntime } from './runtime';
import type { ToolContext } from '../tools/types';
import type { UpstreamResponse } from '../http/upstream-client';
import { endingOf, forcedEnding, UNEXPECTED, type Ending } from './failure';
import type { RoutedRequest } from './model-routes/routed-request';
import type { InterceptionRoute } from './interception-route';
import type { TurnMetrics } from '../observability/metrics/types';
import type { LimitAdmission } from '../governance/limits/limit-admission';
import type { InterceptionTrace } from '../observability/tracing/interception-trace';
import type { DumpFolder } from '../observability/dumps/dumps';
import { levelEnabled, RequestLog } from '../observability/request-log';
import { interceptionLogger, logEnded } from './interception-log';
import type { CircuitPass } from '../governance/circuit-breakers';
import { upstreamOutcome } from '../governance/upstream-outcome';
import { guardedAnswer } from './response-guard';
import { callUpstream } from './upstream-call';
import { UpstreamAbort } from '../http/upstream-abort';

export type { Ending };

/**
 * The key walk's trace of one interception. A class, not an object literal with a getter: such a literal is built
 * through V8's slow path on every request. The walk logs through the request's logger, made only if it logs.
 */
class InterceptionAttempts implements AttemptTrace {
  attempts = 0;
  failovers: number | undefined = undefined;
  exhausted: boolean | undefined = undefined;
  credential: Credential | undefined = undefined;
  readonly log: UpstreamAttempt[] = [];
  upstreamMs: number | undefined = undefined;

  constructor(readonly scope: string, private readonly ix: Interception) {}

  get logger(): Logger {
    return this.ix.logger;
  }
}

/** A request as it arrives at one provider's API: from the client, or from a model route that chose this provider. */
export interface InterceptionArrival {
  req: Request;
  res: Response;
  routed?: RoutedRequest;
}

/** After close() aborts a request, how long the pipeline has to end it itself before it is ended for it. */
const FORCED_END_MS = 250;

/**
 * One request to a bridged API. Created when the request arrives (so that a client leaving or `close()` is noticed
 * from the first moment); admission fills in who asked for what (actor, call, credential plan, recording); every
 * later stage reads it and calls its methods. Ends exactly once: one end record, the counters, the inflight slot.
 */
export class Interception implements RecordSink {
  /** `''` until admission assigns it (nothing is recorded before). */
  id = '';
  readonly startedAt = Date.now();
  /** When the first upstream answer's head arrived (ms since the epoch). */
  firstByteAt: number | undefined;
  readonly trace: AttemptTrace;
  /** What the upstream client listens to: aborted with the signal, with the same reason. */
  readonly upstreamAbort = new UpstreamAbort();
  /** Set by admission. */
  actor!: Actor;
  call!: ApiCall;
  plan!: CredentialPlan;
  /** The headers every upstream call of this request sends; each attempt adds its credential's own. */
  headers!: Record<string, string | string[]>;
  /** This request's redaction (pool keys and a BYOK client's own key), for what is relayed and recorded. */
  scrub!: KeyScrub;
  private tools: ToolContext | undefined;
  recording!: InterceptionRecording;
  /** The responses and conversations this request's answer creates, whose owner the bridge writes (pool keys only). */
  created: CreatedResponses | undefined;
  /** The upstream path and the client's query. */
  path = '';
  /** This request's part in the rate limits and budgets; undefined when none covers it. */
  limits: LimitAdmission | undefined;
  /** What a guard edited (`guard`, `responseGuard`); undefined when nothing was. */
  guardEdits: Array<'request' | 'response'> | undefined;
  /** This request's spans; undefined when tracing is off. */
  readonly tracing: InterceptionTrace | undefined;
  /** What the line logged at the end adds up; undefined when the logger does not write `info`. */
  readonly requestLog: RequestLog | undefined;
  private requestLogger: Logger | undefined;
  /** Set by admission when the circuit breaker let this request through: told its upstream outcome once, at the first answer's head or the end. */
  circuit: CircuitPass | undefined;
  /** Made when something reads the signal, or at the abort: most requests never need one. */
  private abort: AbortController | undefined;
  /** Undefined when neither `Server-Timing` nor a recorder wants the times. */
  private readonly timing: RequestTiming | undefined;
  private concluded = false;
  private clientKnown = false;
  private detectedClient: string | undefined;
  private readonly leave: () => void;
  /** This request's dump folder, made on its first attempt when dumps are on. */
  dumpFolder: DumpFolder | undefined;

  readonly req: Request;
  readonly res: Response;
  /** Set when a model route chose this provider: what the route already read (actor, body), and who comes next. */
  readonly routed: RoutedRequest | undefined;

  constructor(readonly route: InterceptionRoute, arrival: InterceptionArrival) {
    const { req, res, routed } = arrival;
    this.req = req;
    this.res = res;
    this.routed = routed;
    this.trace = new InterceptionAttempts(route.api.route, this);
    const logger = route.bridge.logger;
    this.requestLog = levelEnabled(logger, 'info') ? new RequestLog(levelEnabled(logger, 'debug')) : undefined;
    // Started here, while the host's context (its own span, if any) is the active one.
    this.tracing = route.bridge.tracing?.interception(route.provider.adapter, route.api.name, routed?.name);
    const { serverTiming, recorder } = route.bridge;
    if (serverTiming || recorder.enabled) this.timing = startTiming(res, this.trace, serverTiming);
    // Attached before the first await, so a client that leaves at any point is noticed. `on`, not `once`: a response
    // closes once, and `once` wraps the listener in two more objects on every request.
    res.on('close', () => {
      if (!res.writableEnded) this.abortWith(undefined);
    });
    this.leave = route.bridge.inflight.enter((reason) => this.abortFromClose(reason));
  }

  /** Aborted when the client goes away, or when `close()` gives up on this request (its reason then says so). */
  get signal(): AbortSignal {
    this.abort ??= new AbortController();
    return this.abort.signal;
  }

  /** Whether the request was aborted (the client left, or `close()` gave up on it), without making a signal. */
  get aborted(): boolean {
    return this.abort?.signal.aborted === true;
  }

  /** What the tool hook gets to know about this request; made once admitted, when first asked for. */
  get toolContext(): ToolContext {
    this.tools ??= { actor: this.actor, providerName: this.providerName, model: this.call.model, signal: this.signal, clientHasTools: this.call.clientHasTools === true };
    return this.tools;
  }

  /**
   * The AI client recognised from the request (undefined when no rule matches): worked out once, by the start record
   * or by whatever reads it first (a hook, the metrics, the span, the log), and shared by all of them.
   */
  get client(): string | undefined {
    if (this.clientKnown) return this.detectedClient;
    this.clientKnown = true;
    return (this.detectedClient = this.route.bridge.clients.client(this.req.headers));
  }

  set client(client: string | undefined) {
    this.clientKnown = true;
    this.detectedClient = client;
  }

  get interceptionId(): string {
    return this.id;
  }

  get provider(): ProviderRuntime {
    return this.route.provider;
  }

  get api(): ApiAdapter {
    return this.route.api;
  }

  get bridge(): BridgeRuntime {
    return this.route.bridge;
  }

  get providerName(): string {
    return this.route.provider.adapter.name;
  }

  /** Where this request's turns report tokens and tool calls (the metrics, the end's log line); undefined when neither wants them. */
  get metrics(): TurnMetrics | undefined {
    const metrics = this.route.bridge.metrics?.turn(this.providerName, this.route.api.name, this.call?.model);
    return this.requestLog ? this.requestLog.reportingTo(metrics) : metrics;
  }

  /** The bridge's logger with this request's fields (id, provider, API, model, actor, client); made at its first line. */
  get logger(): Logger {
    if (this.requestLogger) return this.requestLogger;
    const logger = interceptionLogger(this);
    // Kept once admitted: before, the fields it would carry are not known yet.
    if (this.plan) this.requestLogger = logger;
    return logger;
  }

  get throttle() {
    return this.route.throttle;
  }

  /** A gateway error in the provider's words, for error events once a stream began. */
  describe(error: GatewayError): StreamError {
    return this.route.describe(error);
  }

  /**
   * One upstream call with `body`: the credential plan's key walk (failover included), the provider's decoding of
   * the answer it settled on, then ownership of a stream's head (see `upstream-call.ts`).
   */
  send(body: Buffer | string): Promise<UpstreamResponse> {
    return callUpstream(this, body);
  }

  /** A whole upstream body, bounded and redacted as it is read (a clean body stays byte-identical); owned when it creates state. */
  async readBody(upstream: UpstreamResponse): Promise<Buffer> {
    const body = await readUpstreamBody(upstream, this.bridge.maxResponseBytes, this.scrub);
    if (this.created) await ownAnswer(upstream.status, body, this.api.storedState!, this.created);
    return body;
  }

  /** `bytes` without any key this request knows of; the same buffer when it holds none. */
  redact(bytes: Buffer): Buffer {
    return this.scrub.bytes(bytes);
  }

  /**
   * Answers the client with a whole upstream body: the upstream's status, its relayed headers, `body`. A `200` goes
   * through the `responseGuard` first when the host has one (then it may wait for it, or throw its refusal).
   */
  answer(upstream: Pick<UpstreamResponse, 'status' | 'headers'>, body: Buffer): void | Promise<void> {
    if (upstream.status === 200 && this.bridge.guard?.response) return guardedAnswer(this, upstream, body);
    sendUpstreamBody(upstream, body, this);
  }

  /** Copies the upstream's relayable headers onto `out`, redacted. */
  relayHeaders(out: ServerResponse, headers: IncomingHttpHeaders): void {
    relayResponseHeaders(out, headers, this.scrub);
  }

  /** Answers the client for `err` (provider-shaped, or one error event once streaming) and says how that ends the interception. */
  fail(err: unknown): Ending {
    return endingOf(this, err);
  }

  /** Ends the interception after a thrown `err`; rethrows only when answering the client failed too (after the end is recorded). */
  endWith(err: unknown): void {
    if (this.concluded) return;
    let ending: Ending;
    try {
      ending = this.fail(err);
    } catch (failure) {
      // Still record the end, then let the bridge's last resort answer.
      this.end(UNEXPECTED);
      throw failure;
    }
    this.end(ending);
  }

  /** Concludes the interception exactly once: the end record and the counters, then its inflight slot. */
  end(ending: Ending): void {
    if (this.concluded) return;
    this.concluded = true;
    this.limits?.release();
    try {
      this.circuit?.settle(upstreamOutcome(this.trace, this.route.provider.adapter.circuitFailureStatuses));
      this.record(ending);
      logEnded(this, ending);
    } finally {
      this.tracing?.end(ending, this.scrub);
      this.leave(); // after the end record, so close() flushes it; and always, so close() never waits forever
    }
  }

  private record(ending: Ending): void {
    if (!this.recording) return;
    const { counters } = this.route.provider;
    const trace = this.trace;
    counters.interceptions++;
    counters[ending.status]++;
    counters.upstreamAttempts += trace.attempts;
    counters.failovers += trace.failovers ?? 0;
    if (trace.exhausted) counters.keysExhausted++;
    this.route.bridge.metrics?.interceptionEnded(this, ending.status);
    // Without a recorder nothing was started: no end record to build.
    if (!this.bridge.recorder.enabled) return;
    const ended: InterceptionEndedRecord = {
      id: this.id, endedAt: new Date(), credentialHint: trace.credential?.hint, ...ending,
      ...(trace.log!.length > 0 ? { attempts: trace.log } : {}),
    };
    // Absent when no head was written (the client left first).
    if (this.timing?.gatewayMs !== undefined) ended.gatewayMs = this.timing.gatewayMs;
    if (this.timing?.upstreamMs !== undefined) ended.upstreamFirstByteMs = this.timing.upstreamMs;
    if (this.guardEdits) ended.guardEdits = this.guardEdits;
    this.recording.end(ended);
  }

  /** Aborts the signal (`undefined`: the default abort error) and every upstream attempt, with the same reason. */
  private abortWith(reason: Error | undefined): void {
    const signal = this.signal;
    if (signal.aborted) return;
    this.abort!.abort(reason);
    this.upstreamAbort.fire(signal.reason);
  }

  private abortFromClose(reason: Error): void {
    this.abortWith(reason);
    // The pipeline notices the abort within a turn or two, unless it waits on something that ignores the
    // signal (a hanging actor resolver or key state store, a client that stopped sending its body).
    setTimeout(() => {
      if (!this.concluded) this.end(forcedEnding(this, reason));
    }, FORCED_END_MS).unref();
  }
}
