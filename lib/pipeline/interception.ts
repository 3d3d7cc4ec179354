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
import { ownAnswer, ownStreamHead } from '../ownership/bridged-ownership';
import type { CreatedResponses } from '../ownership/ownership-guard';
import type { RecordSink } from '../recorder/record-sink';
import type { InterceptionRecording } from '../recorder/safe-recorder';
import type { InterceptionEndedRecord, UpstreamAttempt } from '../recorder/types';
import type { KeyScrub } from '../redaction/redactor';
import type { BridgeRuntime, ProviderRuntime } from './runtime';
import { isEventStream, MAX_EVENT_BYTES } from '../streaming/event-stream';
import type { ToolContext } from '../tools/types';
import type { UpstreamRequest, UpstreamResponse } from '../http/upstream-client';
import { endingOf, forcedEnding, UNEXPECTED, type Ending } from './failure';
import type { RoutedRequest } from './model-routes/routed-request';
import type { InterceptionRoute } from './interception-route';
import { runRequestHook } from '../providers/request-hook';
import type { ResponseDecoder } from '../providers/provider-hooks';
import type { TurnMetrics } from '../observability/metrics/types';
import type { LimitAdmission } from '../governance/limits/limit-admission';
import type { InterceptionTrace } from '../observability/tracing/interception-trace';
import type { DumpFolder } from '../observability/dumps/dumps';
import { levelEnabled, RequestLog } from '../observability/request-log';
import { interceptionLogger, logEnded } from './interception-log';
import type { CircuitPass } from '../governance/circuit-breakers';
import { upstreamOutcome } from '../governance/upstream-outcome';
import { guardedAnswer } from './response-guard';

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
  /** Aborted when the client goes away, or when `close()` gives up on this request (its reason then says so). */
  readonly signal: AbortSignal;
  /** Set by admission. */
  actor!: Actor;
  call!: ApiCall;
  plan!: CredentialPlan;
  /** The headers every upstream call of this request sends; each attempt adds its credential's own. */
  headers!: Record<string, string | string[]>;
  /** This request's redaction (pool keys and a BYOK client's own key), for what is relayed and recorded. */
  scrub!: KeyScrub;
  /** What the tool hook gets to know about this request. */
  toolContext!: ToolContext;
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
  private readonly abort = new AbortController();
  /** Undefined when neither `Server-Timing` nor a recorder wants the times. */
  private readonly timing: RequestTiming | undefined;
  private concluded = false;
  private clientKnown = false;
  private detectedClient: string | undefined;
  private readonly leave: () => void;
  /** This request's dump folder, made on its first attempt when dumps are on. */
  private dumpFolder: DumpFolder | undefined;

  /** Set when a model route chose this provider: what the route already read (actor, body), and who comes next. */
  constructor(readonly route: InterceptionRoute, readonly req: Request, readonly res: Response, readonly routed?: RoutedRequest) {
    this.signal = this.abort.signal;
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
      if (!res.writableEnded) this.abort.abort();
    });
    this.leave = route.bridge.inflight.enter((reason) => this.abortFromClose(reason));
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
   * the answer it settled on, then ownership of a stream's head.
   */
  async send(body: Buffer | string): Promise<UpstreamResponse> {
    const walk = this.plan.run((credential) => this.attempt(credential, body), this.trace, this.signal);
    let upstream = this.circuit ? await this.judged(walk) : await walk;
    this.firstByteAt ??= Date.now();
    const decode = this.route.provider.adapter.decodeResponse;
    if (decode) upstream = this.decoded(decode, upstream);
    // What an answer creates is owned before the client (or the loop) sees it: outside the key walk, so a failing store never fails over.
    if (!this.created || upstream.status !== 200 || !isEventStream(upstream.headers['content-type'])) return upstream;
    return ownStreamHead(upstream, this.api.storedState!, this.created, MAX_EVENT_BYTES);
  }

  /**
   * The key walk's answer, its outcome told to the circuit breaker as soon as its head is known (once: later calls of
   * the tool loop do not count), so that a probe's success closes the circuit before a long stream ends.
   */
  private async judged(walk: Promise<UpstreamResponse>): Promise<UpstreamResponse> {
    try {
      return await walk;
    } finally {
      this.circuit!.settle(upstreamOutcome(this.trace));
    }
  }

  /** The answer as the provider's decoder re-frames it; a decoder that throws frees the connection first. */
  private decoded(decode: ResponseDecoder, upstream: UpstreamResponse): UpstreamResponse {
    try {
      return decode(upstream, { api: this.api, call: this.call });
    } catch (err) {
      upstream.discard();
      throw err;
    }
  }

  private attempt(credential: Credential, body: Buffer | string): Promise<UpstreamResponse> {
    const { adapter } = this.route.provider;
    Object.assign(this.headers, credential.headers ?? adapter.credentialHeaders(credential.upstream, credential.kind));
    const span = this.tracing?.attempt(this.trace.attempts, credential.hint, this.headers);
    const sent = adapter.prepareRequest
      ? this.preparedAttempt(credential, body)
      : this.sendUpstream({ method: 'POST', path: this.path, headers: this.headers, body, signal: this.signal }, credential);
    // Only providers with a screen wait for it: the others' answers go to the key walk as they came.
    const screen = adapter.screenResponse;
    const answered = screen ? sent.then(screen) : sent;
    return span ? span.settle(answered) : answered;
  }

  /** Sends one attempt as it is; with dumps on, the request and its answer are dumped too (the request as sent, now). */
  private sendUpstream(request: UpstreamRequest, credential: Credential): Promise<UpstreamResponse> {
    const sent = this.route.provider.client.send(request);
    const dumps = this.bridge.dumps;
    if (!dumps) return sent;
    this.dumpFolder ??= dumps.folder(this.id, this.scrub);
    return this.dumpFolder.attempt(request, credential.hint, sent);
  }

  /** An attempt the provider's request hook rewrites first (e.g. signs with the current time). */
  private async preparedAttempt(credential: Credential, body: Buffer | string): Promise<UpstreamResponse> {
    const { adapter } = this.route.provider;
    const ctx = { credential, now: new Date(), signal: this.signal, api: this.api };
    const request = await runRequestHook(adapter.prepareRequest!, { method: 'POST', pathAndQuery: this.path, headers: this.headers, body }, ctx);
    return this.sendUpstream({ ...request, signal: this.signal }, credential);
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
      this.circuit?.settle(upstreamOutcome(this.trace));
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

  private abortFromClose(reason: Error): void {
    this.abort.abort(reason);
    // The pipeline notices the abort within a turn or two, unless it waits on something that ignores the
    // signal (a hanging actor resolver or key state store, a client that stopped sending its body).
    setTimeout(() => {
      if (!this.concluded) this.end(forcedEnding(this, reason));
    }, FORCED_END_MS).unref();
  }
}
