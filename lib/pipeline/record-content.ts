/** `recordContent`: which content mode applies to each interception's records, fixed or decided per interception by the host. */
import type { Request } from 'express';
import type { Logger } from 'winston';
import { contentShapers, type ContentMode, type ContentShaper } from '../recorder/content-mode';
import type { InterceptionRecording } from '../recorder/interception-recording';
import { errorMessage } from '../observability/logger';
import type { BridgedAuthorization } from './authorize';

export type { ContentMode };

/** What the `recordContent` function gets: the same `interception` as `authorize` gets, and the Express request. */
export interface RecordContentContext {
  interception: BridgedAuthorization;
  req: Request;
}

/** Decides the mode of one interception, synchronously. */
export type RecordContentHook = (ctx: RecordContentContext) => ContentMode;

/** The `recordContent` option: one mode for every interception, or a function of the interception. */
export type RecordContentOption = ContentMode | RecordContentHook;

/** The mode used when the function throws or answers something that is not a mode: the one that keeps nothing. */
const FAIL_SAFE: ContentMode = 'none';

/** The bridge's `recordContent`, with the shapers made once. */
export class RecordContent {
  private readonly shapers: Readonly<Record<ContentMode, ContentShaper | undefined>>;

  constructor(private readonly option: RecordContentOption, salt: string, private readonly logger: Logger) {
    this.shapers = contentShapers(salt);
  }

  /** Applies the mode to `recording` and returns it; `ctx` is built only for the function form. */
  apply(recording: InterceptionRecording, ctx: () => RecordContentContext): ContentMode {
    const mode = typeof this.option === 'function' ? this.decide(this.option, ctx()) : this.option;
    recording.content = this.shapers[mode];
    return mode;
  }

  private decide(hook: RecordContentHook, ctx: RecordContentContext): ContentMode {
    let mode: unknown;
    try {
      mode = hook(ctx);
    } catch (err) {
      this.logger.error(`createBridge option \`recordContent\` threw: ${errorMessage(err)}; recording no content for this request`, { route: ctx.interception.route });
      return FAIL_SAFE;
    }
    if (typeof mode === 'string' && Object.prototype.hasOwnProperty.call(this.shapers, mode)) return mode as ContentMode;
    this.logger.error('createBridge option `recordContent` returned something that is not a mode (full, redacted, hashed, none); recording no content for this request', { route: ctx.interception.route });
    return FAIL_SAFE;
  }
}
