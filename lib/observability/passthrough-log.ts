/** The log lines of one passthrough call: its logger's fields (id, route, method, actor, provider) and the one `info` line when it is over. */
import { timeOrderedId } from '../recorder/record-id';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'winston';
import type { KeyScrub } from '../redaction/redactor';
import { redactingLogger } from '../redaction/redacting-logger';
import { childLogger, levelEnabled } from './request-log';

/** What the log reads of the call and the bridge. */
export interface PassthroughLogContext {
  readonly logger: Logger;
  readonly provider: string;
  /** The allowlist entry the call matched (`/v1/models/:id`), not the path (which may name ids). */
  readonly route: string | undefined;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  /** The client's name, from the bridge's detection. */
  readonly client: (headers: IncomingHttpHeaders) => string | undefined;
}

/** How a passthrough call went, for its `info` line. */
export interface PassthroughEnd {
  httpStatus: number;
  durationMs: number;
  attempts: number;
  credentialHint?: string;
}

/** One passthrough call's logger, made at its first line; its id is shared with its record. */
export class PassthroughLog {
  actorId: string | undefined;
  private byok: Pick<KeyScrub, 'value'> | undefined;
  private passthroughId: string | undefined;
  private logger: Logger | undefined;

  constructor(private readonly ctx: PassthroughLogContext) {}

  /** The call's id (in its record and its lines), made when first asked for. */
  get id(): string {
    return (this.passthroughId ??= timeOrderedId());
  }

  /** The bridge's logger with this call's fields; kept once the actor is known. */
  get log(): Logger {
    if (this.logger) return this.logger;
    const { ctx } = this;
    const child = childLogger(ctx.logger, {
      passthroughId: this.id, provider: ctx.provider, route: ctx.route, method: ctx.method, actorId: this.actorId, client: this.client(),
    });
    const logger = this.byok ? redactingLogger(child, this.byok) : child;
    if (this.actorId !== undefined) this.logger = logger;
    return logger;
  }

  /** The client the call's headers name; none when detection fails. */
  private client(): string | undefined {
    try {
      return this.ctx.client(this.ctx.headers);
    } catch {
      return undefined;
    }
  }

  /** The call brings its own key (BYOK): its lines from now on mask that key too (`scrub` is the request's). */
  maskByok(scrub: Pick<KeyScrub, 'value'>): void {
    this.byok = scrub;
    this.logger = undefined;
  }

  /** Whether the call's end is worth a line (the logger writes `info`): asked once, when the call starts. */
  static wanted(logger: Logger): boolean {
    return levelEnabled(logger, 'info');
  }

  /** The `info` line of the call's end; a logger that throws changes nothing for the client. */
  ended(end: PassthroughEnd): void {
    try {
      this.log.info('passthrough ended', end);
    } catch {
      // Nothing to tell: the logger is what failed.
    }
  }
}
