/** Waiting with a bound: shutdown steps and requests must go on even when what they wait for never settles. */

/**
 * Resolves `true` when `work` resolves, `false` when `ms` pass first; rejects when `work` rejects first.
 * The timer is cleared either way, so a quick `work` leaves nothing scheduled.
 */
export function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const timer = setTimeout(() => resolve(false), ms);
    work.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** `promise`, or a rejection as soon as `signal` aborts: what `promise` does goes on (others may share it), only this wait ends. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (err) => { signal.removeEventListener('abort', onAbort); reject(err); },
    );
  });
}
