/** What the upstream client listens to for an interception's abort: an event emitter, far cheaper per request than an `AbortSignal`. */
import { EventEmitter } from 'node:events';

/**
 * Tells the HTTP client (undici takes an emitter with `aborted`, `reason` and an `abort` event wherever it takes a
 * signal) that the request it serves was aborted. An `AbortSignal` is an `EventTarget`: making one, and adding and
 * removing its listener on every attempt, cost more than anything else of the bridge's own per request.
 */
export class UpstreamAbort extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  /** Aborts once, with `reason`: every attempt still running is aborted with it. */
  fire(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}
