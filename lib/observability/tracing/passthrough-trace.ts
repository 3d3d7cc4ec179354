/** The span of one passthrough request: its route, method, attempts, the key used and the status the client got. */
import { ATTR } from './attributes';
import type { BridgeTracer } from './bridge-tracer';
import type { HeaderCarrier, OtelContext, OtelSpan } from './otel-api';

export class PassthroughTrace {
  private ended = false;

  /** `parent`: the context the span was started under (the host's); the headers name the span within it. */
  constructor(private readonly owner: BridgeTracer, private readonly span: OtelSpan, private readonly parent: OtelContext) {}

  /** Before each attempt: a registered propagator writes this span's context into `headers` (nothing without one). */
  inject(headers: HeaderCarrier): void {
    try {
      this.owner.inject(this.parent, this.span, headers);
    } catch (err) {
      this.owner.failed(err);
    }
  }

  /** The response is over (`status` 499 when the client left first); `hint` is the masked key used last. */
  end(status: number, attempts: number, hint: string | undefined, actorId: string | undefined): void {
    if (this.ended) return;
    this.ended = true;
    try {
      const { span } = this;
      span.setAttributes({ [ATTR.httpStatus]: status, [ATTR.attempts]: attempts, [ATTR.credentialHint]: hint, [ATTR.actor]: actorId });
      if (status >= 400) {
        span.setAttribute(ATTR.errorType, String(status));
        span.setStatus({ code: this.owner.api.SpanStatusCode.ERROR, message: String(status) });
      }
      span.end();
    } catch (err) {
      this.owner.failed(err);
    }
  }
}
