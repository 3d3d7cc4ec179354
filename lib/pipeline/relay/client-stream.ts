/** The client's side of a streamed answer that spans several upstream calls: opened once, written with backpressure, ended once. */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { stampServerTiming } from '../../http/server-timing';

/** An SSE comment: every SSE parser skips it, every proxy on the way sees traffic. */
export const SSE_COMMENT_KEEP_ALIVE = Buffer.from(': keep-alive\n\n');

/** Resolves once `res` can take more bytes, or has gone: the one wait for backpressure of every streamed answer. */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * How long a streamed answer's head may wait for the first bytes to go with: an upstream that sends its head and then
 * thinks before its first event (a reasoning model) must not leave the client without a head meanwhile.
 */
export const HEAD_GRACE_MS = 50;

function sendHeadNow(stream: ClientStream): void {
  stream.sendHead();
}

/** Lets the bytes `res` holds go, unless its end already sent them. */
function releaseWrites(res: ServerResponse): void {
  if (!res.writableEnded) res.uncork();
}

export type HeaderRelay = (res: ServerResponse, headers: IncomingHttpHeaders) => void;

export class ClientStream {
  private opened = false;
  private ended = false;
  private keepAlive: NodeJS.Timeout | undefined;
  private headGrace: NodeJS.Timeout | undefined;

  /** `keepAliveBytes` is what {@link startKeepAlive} writes: an API may want its own event (Anthropic's `ping`). */
  constructor(
    private readonly res: ServerResponse,
    private readonly relayHeaders: HeaderRelay,
    private readonly keepAliveBytes: Buffer = SSE_COMMENT_KEEP_ALIVE,
  ) {}

  /** Whether any byte may have reached the client (errors must then be sent as events). */
  get started(): boolean {
    return this.opened || this.res.headersSent;
  }

  get finished(): boolean {
    return this.ended || this.res.writableEnded || this.res.destroyed;
  }

  /**
   * Sets status and headers of the first upstream response; later calls do nothing. They leave with the first bytes
   * written, in the same packet (a head sent alone costs a write of its own), or alone once {@link HEAD_GRACE_MS} passed
   * with no byte written; {@link sendHead} sends them sooner.
   */
  open(status: number, headers: IncomingHttpHeaders): void {
    if (this.opened) return;
    this.opened = true;
    this.res.statusCode = status;
    this.relayHeaders(this.res, headers);
    stampServerTiming(this.res);
    this.headGrace = setTimeout(sendHeadNow, HEAD_GRACE_MS, this);
    this.headGrace.unref();
  }

  /** Sends the head now if no byte took it yet: the upstream's body began but nothing of it went to the client. */
  sendHead(): void {
    this.stopHeadGrace();
    if (this.opened && !this.res.headersSent && !this.finished) this.res.flushHeaders();
  }

  /** Writes `bytes`, resolving once the client can take more (or has gone). */
  write(bytes: Buffer | string): Promise<void> | undefined {
    if (this.finished || bytes.length === 0) return undefined;
    return this.res.write(bytes) ? undefined : drained(this.res);
  }

  /**
   * Keeps what is written from here on in the socket's buffer until the stream's end or the next turn of the event
   * loop, whichever comes first: the end's bytes then leave in the same write as the last events (a write of their
   * own otherwise), and nothing waits for an upstream that is slow to end.
   */
  holdWrites(): void {
    if (this.finished) return;
    this.res.cork();
    setImmediate(releaseWrites, this.res);
  }

  /** Writes the keep-alive bytes every `intervalMs` until {@link stopKeepAlive} (while a tool runs). */
  startKeepAlive(intervalMs: number): void {
    this.stopKeepAlive();
    this.keepAlive = setInterval(() => {
      // Dropped when the client is slow: a keep-alive must never pile up in the socket buffer.
      if (!this.finished && this.res.writableLength === 0) this.res.write(this.keepAliveBytes);
    }, intervalMs);
    this.keepAlive.unref();
  }

  private stopHeadGrace(): void {
    if (this.headGrace !== undefined) clearTimeout(this.headGrace);
    this.headGrace = undefined;
  }

  stopKeepAlive(): void {
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
  }

  /** Ends the stream, with `tail` (terminal events or one error event) as its last bytes. */
  end(tail?: Buffer | string): void {
    this.stopKeepAlive();
    this.stopHeadGrace();
    if (this.finished) return;
    this.ended = true;
    if (tail !== undefined && tail.length > 0) this.res.end(tail);
    else this.res.end();
  }
}
