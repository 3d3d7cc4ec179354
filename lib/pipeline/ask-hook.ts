/** Runs a host's decision hook (`authorize`, `guard`, `responseGuard`) under its deadline: one rule for all of them. */
import { errorMessage } from '../observability/logger';

/** How the hook's answer is asked for and read. */
export interface HookQuestion<C, V, D> {
  readonly hook: (ctx: C) => V | Promise<V>;
  readonly ctx: C;
  readonly timeoutMs: number;
  /** The option that sets `timeoutMs`, named when the hook misses it. */
  readonly timeoutOption: string;
  /** Reads the verdict: returns the decision, or throws the refusal. */
  readonly judge: (verdict: V) => D;
  /** The error a hook that throws, rejects or misses its deadline gets the request refused with. */
  readonly failed: (what: string) => Error;
}

/**
 * Asks the hook; a verdict given at once is judged at once (no promise, no timer). A verdict that comes after the
 * deadline is not read: the request was refused already, and counted once.
 */
export function askHook<C, V, D>({ hook, ctx, timeoutMs, timeoutOption, judge, failed }: HookQuestion<C, V, D>): D | Promise<D> {
  let verdict: V | Promise<V>;
  try {
    verdict = hook(ctx);
  } catch (err) {
    throw failed(`threw: ${errorMessage(err)}`);
  }
  if (typeof (verdict as { then?: unknown } | null | undefined)?.then !== 'function') return judge(verdict as V);
  return new Promise<D>((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(failed(`did not answer within ${timeoutMs} ms (${timeoutOption})`));
    }, timeoutMs);
    Promise.resolve(verdict).then(
      (answer) => {
        if (late) return;
        clearTimeout(timer);
        try {
          resolve(judge(answer));
        } catch (refusal) {
          reject(refusal);
        }
      },
      (err: unknown) => {
        if (late) return;
        clearTimeout(timer);
        reject(failed(`threw: ${errorMessage(err)}`));
      },
    );
  });
}
