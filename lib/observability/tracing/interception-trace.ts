/** The spans of one bridged request: the interception, its loop iterations, upstream attempts and injected tool calls. */
import { ATTR, CHAT, EXECUTE_TOOL, ITERATION_SPAN } from './attributes';
import type { BridgeTracer } from './bridge-tracer';
import type { HeaderCarrier, OtelContext, OtelSpan } from './otel-api';

/** What the interception span reads once the request is admitted. */
export interface AdmittedView {
  readonly id: string;
  readonly call: { readonly model: string; readonly streaming: boolean };
  readonly actor: { readonly id: string };
  readonly plan: { readonly kind: string };
  /** The AI client recognised from the request; undefined when no rule matched. */
  readonly client: string | undefined;
}

/** How the interception ended, as its end record says. */
export interface EndingView {
  readonly status: 'completed' | 'failed' | 'aborted';
  readonly httpStatus?: number;
  readonly errorType?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/** Token counts of one upstream answer (`input` without cached tokens). */
export interface UsageView {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
}

/** An injected tool call as its span names it. */
export interface ToolCallView {
  readonly id: string;
  readonly name: string;
}

/** The span of one upstream attempt; ended when the answer's head arrives or the attempt fails. */
export class AttemptSpan {
  constructor(private readonly owner: BridgeTracer, private readonly span: OtelSpan) {}

  /** Ends the span with `sent`'s outcome and returns it unchanged. */
  settle<R extends { status: number }>(sent: Promise<R>): Promise<R> {
    return sent.then((result) => {
      this.end(result.status, undefined);
      return result;
    }, (err: unknown) => {
      this.end(undefined, err);
      throw err;
    });
  }

  private end(status: number | undefined, err: unknown): void {
    try {
      const { span } = this;
      if (!isRecording(span)) return span.end();
      const { SpanStatusCode } = this.owner.api;
      if (status !== undefined) {
        span.setAttribute(ATTR.httpStatus, status);
        if (status >= 400) {
          span.setAttribute(ATTR.errorType, String(status));
          span.setStatus({ code: SpanStatusCode.ERROR, message: `upstream answered ${status}` });
        }
      } else {
        const type = errorName(err);
        span.setAttribute(ATTR.errorType, type);
        span.setStatus({ code: SpanStatusCode.ERROR, message: type });
      }
      span.end();
    } catch (failure) {
      this.owner.failed(failure);
    }
  }
}

/** The span of one injected tool call. */
export class ToolSpan {
  constructor(private readonly owner: BridgeTracer, private readonly span: OtelSpan, private readonly context: OtelContext) {}

  /** Runs `fn` with this span active, so that a propagator sends it to the tool server (HTTP MCP servers). */
  run<R>(fn: () => R): R {
    return this.owner.api.context.with(this.context, fn);
  }

  /** Ends the span; `isError` when the call failed, timed out or returned an error result. */
  end(isError: boolean): void {
    try {
      if (isError) {
        this.span.setAttribute(ATTR.errorType, 'tool_error');
        this.span.setStatus({ code: this.owner.api.SpanStatusCode.ERROR, message: 'tool_error' });
      }
      this.span.end();
    } catch (err) {
      this.owner.failed(err);
    }
  }
}

/**
 * One request's spans. Without injected tools there is one model call and no iteration span: the attempts hang from
 * the interception. A root span that is not recording (sampled out) gets no attributes, and its attempts are only
 * started for their context (the propagated trace headers): without a propagator, not at all.
 */
export class InterceptionTrace {
  private iterationSpan: OtelSpan | undefined;
  private iterationContext: OtelContext | undefined;
  /** Whether the root span keeps what is written to it (read once, at the start). */
  private readonly recording: boolean;
  private model = '';
  /** `chat <model>`: the interception's name once admitted, and every attempt's. */
  private name: string = CHAT;
  private input = 0;
  private output = 0;
  private cacheRead = 0;
  private cacheWrite = 0;
  private usageSeen = false;
  private ended = false;

  /** The root's context, the parent of its children: made when the first child starts. */
  private rootContext: OtelContext | undefined;

  /** `hostContext`: the context the root was started under. */
  constructor(private readonly owner: BridgeTracer, private readonly root: OtelSpan, private readonly hostContext: OtelContext) {
    this.recording = isRecording(root);
  }

  /** Names the span after the model and adds who asked for what. */
  admitted(ix: AdmittedView): void {
    if (!this.recording) return;
    try {
      const { root } = this;
      const { model } = ix.call;
      this.model = model;
      this.name = `${CHAT} ${model}`;
      root.updateName(this.name);
      root.setAttribute(ATTR.requestModel, model);
      root.setAttribute(ATTR.interceptionId, ix.id);
      root.setAttribute(ATTR.actor, ix.actor.id);
      root.setAttribute(ATTR.streaming, ix.call.streaming);
      root.setAttribute(ATTR.credentialKind, ix.plan.kind);
      const { client } = ix;
      if (client !== undefined) root.setAttribute(ATTR.client, client);
    } catch (err) {
      this.owner.failed(err);
    }
  }

  /** Iteration `n` of the tool loop begins (the previous one, if any, is over); only with injected tools. */
  iteration(n: number): void {
    try {
      this.iterationSpan?.end();
      const rootContext = this.contextOfRoot();
      const span = this.owner.tracer.startSpan(ITERATION_SPAN, { kind: this.owner.api.SpanKind.INTERNAL, attributes: { [ATTR.iteration]: n } }, rootContext);
      this.iterationSpan = span;
      this.iterationContext = this.owner.api.trace.setSpan(rootContext, span);
    } catch (err) {
      this.owner.failed(err);
    }
  }

  /**
   * Attempt `attempt` of the current upstream call, with the key `hint`: its CLIENT span, whose context a
   * registered propagator writes into `headers` (nothing is written without one). None when the request is sampled
   * out and nothing propagates: such a span would keep nothing and name nothing.
   */
  attempt(attempt: number, hint: string, headers: HeaderCarrier): AttemptSpan | undefined {
    try {
      const { owner } = this;
      if (!this.recording && !owner.propagates()) return undefined;
      const parent = this.parent();
      const span = owner.tracer.startSpan(this.name, {
        kind: owner.api.SpanKind.CLIENT,
        attributes: this.recording ? { [ATTR.operation]: CHAT, [ATTR.requestModel]: this.model, [ATTR.attempt]: attempt, [ATTR.credentialHint]: hint } : undefined,
      }, parent);
      owner.inject(parent, span, headers);
      return new AttemptSpan(owner, span);
    } catch (err) {
      this.owner.failed(err);
      return undefined;
    }
  }

  /** An injected tool call begins. */
  toolCall(call: ToolCallView, serverName: string | undefined): ToolSpan | undefined {
    try {
      const { owner } = this;
      const parent = this.parent();
      const span = owner.tracer.startSpan(`${EXECUTE_TOOL} ${call.name}`, {
        kind: owner.api.SpanKind.INTERNAL,
        attributes: { [ATTR.operation]: EXECUTE_TOOL, [ATTR.toolName]: call.name, [ATTR.toolCallId]: call.id, [ATTR.toolType]: 'function', [ATTR.toolServer]: serverName },
      }, parent);
      return new ToolSpan(owner, span, owner.api.trace.setSpan(parent, span));
    } catch (err) {
      this.owner.failed(err);
      return undefined;
    }
  }

  /** One upstream answer's tokens: on its iteration, and summed on the interception. */
  usage(usage: UsageView): void {
    try {
      if (this.iterationSpan) setUsage(this.iterationSpan, usage.input, usage.output, usage.cacheRead, usage.cacheWrite);
      this.input += usage.input;
      this.output += usage.output;
      this.cacheRead += usage.cacheRead;
      this.cacheWrite += usage.cacheWrite;
      this.usageSeen = true;
    } catch (err) {
      this.owner.failed(err);
    }
  }

  /** The model the upstream says answered the current call: on its iteration, and on the interception (the last one wins). */
  responseModel(model: string): void {
    try {
      this.iterationSpan?.setAttribute(ATTR.responseModel, model);
      this.root.setAttribute(ATTR.responseModel, model);
    } catch (err) {
      this.owner.failed(err);
    }
  }

  /** Ends every span still open; `scrub` (the request's redaction, once admitted) takes any key out of an error message. */
  end(ending: EndingView, scrub: { text(s: string): string } | undefined): void {
    if (this.ended) return;
    this.ended = true;
    try {
      const { root } = this;
      const { SpanStatusCode } = this.owner.api;
      if (this.usageSeen) setUsage(root, this.input, this.output, this.cacheRead, this.cacheWrite);
      if (ending.httpStatus !== undefined) root.setAttribute(ATTR.httpStatus, ending.httpStatus);
      if (ending.status !== 'completed') {
        const type = ending.errorType ?? 'unknown';
        const message = ending.errorMessage !== undefined && scrub ? `${type}: ${scrub.text(ending.errorMessage)}` : type;
        const status = { code: SpanStatusCode.ERROR, message };
        root.setAttribute(ATTR.errorType, ending.errorCode ?? type);
        root.setStatus(status);
        this.iterationSpan?.setStatus(status);
      }
      this.iterationSpan?.end();
      root.end();
    } catch (err) {
      this.owner.failed(err);
    }
  }

  private parent(): OtelContext {
    return this.iterationContext ?? this.contextOfRoot();
  }

  private contextOfRoot(): OtelContext {
    return (this.rootContext ??= this.owner.api.trace.setSpan(this.hostContext, this.root));
  }
}

/** Sets the GenAI usage attributes: `input_tokens` counts every input token, cached ones included (the convention's meaning). */
function setUsage(span: OtelSpan, input: number, output: number, cacheRead: number, cacheWrite: number): void {
  span.setAttribute(ATTR.inputTokens, input + cacheRead + cacheWrite);
  span.setAttribute(ATTR.outputTokens, output);
  span.setAttribute(ATTR.cacheReadTokens, cacheRead);
  span.setAttribute(ATTR.cacheWriteTokens, cacheWrite);
}

/** Whether `span` keeps what is written to it; a span that cannot say is written to (its own failures are caught there). */
function isRecording(span: OtelSpan): boolean {
  try {
    return span.isRecording();
  } catch {
    return true;
  }
}

/** A low-cardinality name for what made an attempt fail. */
function errorName(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string') return code;
  const name = (err as { name?: unknown })?.name;
  return typeof name === 'string' ? name : 'error';
}
