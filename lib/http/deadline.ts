/** Waiting with a bound: shutdown steps must finish even when what they wait for never settles. */

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
