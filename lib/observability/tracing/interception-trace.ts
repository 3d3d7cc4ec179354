/** The spans of one bridged request: the interception, its loop iterations, upstream attempts and injected tool calls. */
import type { IncomingHttpHeaders } from 'node:http';
import { ATTR, CHAT, EXECUTE_TOOL, ITERATION_SPAN } from './attributes';
import type { BridgeTracer } from './bridge-tracer';
import type { Attributes, HeaderCarrier, OtelContext, OtelSpan } from './otel-api';

/** What the interception span reads once the request is admitted. */
export interface AdmittedView {
  readonly id: string;
  readonly call: { readonly model: string; readonly streaming: boolean };
  readonly actor: { readonly id: string };
  readonly plan: { readonly kind: string };
  readonly req: { readonly headers: IncomingHttpHeaders };
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

export class InterceptionTrace {
  private iterationSpan: OtelSpan | undefined;
  private iterationContext: OtelContext | undefined;
  private model = '';
  private input = 0;
  private output = 0;
  private cacheRead = 0;
  private cacheWrite = 0;
  private usageSeen = false;
  private ended = false;

  constructor(private readonly owner: BridgeTracer, private readonly root: OtelSpan, private readonly rootContext: OtelContext) {}

  /** Names the span after the model and adds who asked for what. */
  admitted(ix: AdmittedView): void {
    try {
      this.model = ix.call.model;
      this.root.updateName(`${CHAT} ${ix.call.model}`);
      this.root.setAttributes({
        [ATTR.requestModel]: ix.call.model, [ATTR.interceptionId]: ix.id, [ATTR.actor]: ix.actor.id,
        [ATTR.streaming]: ix.call.streaming, [ATTR.credentialKind]: ix.plan.kind,
        [ATTR.client]: this.owner.clientDetector.detect(ix.req.headers).client,
      });
    } catch (err) {
      this.owner.failed(err);
    }
  }

  /** Iteration `n` of the tool loop begins (the previous one, if any, is over). */
  iteration(n: number): void {
    try {
      this.iterationSpan?.end();
      const span = this.owner.tracer.startSpan(ITERATION_SPAN, { kind: this.owner.api.SpanKind.INTERNAL, attributes: { [ATTR.iteration]: n } }, this.rootContext);
      this.iterationSpan = span;
      this.iterationContext = this.owner.api.trace.setSpan(this.rootContext, span);
    } catch (err) {
      this.owner.failed(err);
    }
  }

  /**
   * Attempt `attempt` of the current upstream call, with the key `hint`: its CLIENT span, whose context a
   * registered propagator writes into `headers` (nothing is written without one).
   */
  attempt(attempt: number, hint: string, headers: HeaderCarrier): AttemptSpan | undefined {
    try {
      const { owner } = this;
      const attributes: Attributes = {
        [ATTR.operation]: CHAT, [ATTR.requestModel]: this.model, [ATTR.attempt]: attempt, [ATTR.credentialHint]: hint,
      };
      const parent = this.parent();
      const span = owner.tracer.startSpan(`${CHAT} ${this.model}`, { kind: owner.api.SpanKind.CLIENT, attributes }, parent);
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
      this.iterationSpan?.setAttributes(usageAttributes(usage.input, usage.output, usage.cacheRead, usage.cacheWrite));
      this.input += usage.input;
      this.output += usage.output;
      this.cacheRead += usage.cacheRead;
      this.cacheWrite += usage.cacheWrite;
      this.usageSeen = true;
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
      if (this.usageSeen) root.setAttributes(usageAttributes(this.input, this.output, this.cacheRead, this.cacheWrite));
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
    return this.iterationContext ?? this.rootContext;
  }
}

/** GenAI usage attributes: `input_tokens` counts every input token, cached ones included (the convention's meaning). */
function usageAttributes(input: number, output: number, cacheRead: number, cacheWrite: number): Attributes {
  return {
    [ATTR.inputTokens]: input + cacheRead + cacheWrite, [ATTR.outputTokens]: output,
    [ATTR.cacheReadTokens]: cacheRead, [ATTR.cacheWriteTokens]: cacheWrite,
  };
}

/** A low-cardinality name for what made an attempt fail. */
function errorName(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string') return code;
  const name = (err as { name?: unknown })?.name;
  return typeof name === 'string' ? name : 'error';
}
