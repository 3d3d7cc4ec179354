/** The breaker's trip rule for cockatiel: N counted failures within a sliding window of time open the circuit. */
import { CircuitState, type IBreaker } from 'cockatiel';

/** What the circuit knows of the failure it reports: whether it was slow (a timeout, a 504), and whose request it was. */
export interface FailureFacts {
  slow: boolean;
  actor: string;
}

/**
 * Opens after `failures` counted failures within `windowMs`; successes do not erase earlier failures, a closing
 * circuit does. A failure the upstream signals itself (503, 529, a refused connection) always counts. A slow one (a
 * timeout, a 504) may be the request's own doing (a huge prompt, a long generation), so slow failures count only
 * while those in the window come from at least `minActors` distinct actors: one actor alone cannot open a model's
 * circuit for everybody. Memory is bounded: at most `failures` times of each kind and `minActors` actors.
 */
export class FailureWindow implements IBreaker {
  /** When each failure the upstream signalled still in the window happened (ms since the epoch), oldest first. */
  private failed: number[] = [];
  /** When each slow failure still in the window happened, oldest first. */
  private slow: number[] = [];
  /** The last slow failure of each of the most recent actors (ms since the epoch), least recent first. */
  private slowActors = new Map<string, number>();

  constructor(
    private readonly failures: number,
    private readonly windowMs: number,
    private readonly minActors: number,
    /** The failure being reported, read when cockatiel reports it. */
    private readonly facts: () => FailureFacts,
  ) {}

  get state(): unknown {
    return { failed: [...this.failed], slow: [...this.slow], slowActors: [...this.slowActors] };
  }

  set state(value: unknown) {
    const v = value as { failed?: unknown; slow?: unknown; slowActors?: unknown } | null;
    const times = (t: unknown) => (Array.isArray(t) ? t.filter((x): x is number => typeof x === 'number').slice(-this.failures) : []);
    this.failed = times(v?.failed);
    this.slow = times(v?.slow);
    const actors = Array.isArray(v?.slowActors) ? (v!.slowActors as unknown[]) : [];
    this.slowActors = new Map(actors.filter((a): a is [string, number] => Array.isArray(a) && typeof a[0] === 'string' && typeof a[1] === 'number').slice(-this.minActors));
  }

  /** Failures counted now (within the window): what is compared with `failures`. */
  recent(now = Date.now()): number {
    this.forget(now);
    return this.counted();
  }

  success(state: CircuitState): void {
    // A probe that succeeded closes the circuit: it starts again with nothing counted.
    if (state === CircuitState.HalfOpen) this.clear();
  }

  failure(state: CircuitState): boolean {
    if (state === CircuitState.HalfOpen) {
      this.clear();
      return true;
    }
    const now = Date.now();
    this.forget(now);
    const { slow, actor } = this.facts();
    const times = slow ? this.slow : this.failed;
    times.push(now);
    if (times.length > this.failures) times.shift();
    if (slow) {
      // Most recent last; the oldest dropped past minActors: the most recent minActors actors say enough.
      this.slowActors.delete(actor);
      this.slowActors.set(actor, now);
      if (this.slowActors.size > this.minActors) this.slowActors.delete(this.slowActors.keys().next().value!);
    }
    if (this.counted() < this.failures) return false;
    // The failures that opened the circuit are spent: after it closes, it takes N new ones.
    this.clear();
    return true;
  }

  private counted(): number {
    return this.failed.length + (this.slowActors.size >= this.minActors ? this.slow.length : 0);
  }

  private clear(): void {
    this.failed = [];
    this.slow = [];
    this.slowActors.clear();
  }

  private forget(now: number): void {
    const since = now - this.windowMs;
    dropUntil(this.failed, since);
    dropUntil(this.slow, since);
    for (const [actor, at] of this.slowActors) {
      if (at > since) break;
      this.slowActors.delete(actor);
    }
  }
}

/** Drops the times at or before `since` from the front of `times` (oldest first). */
function dropUntil(times: number[], since: number): void {
  let drop = 0;
  while (drop < times.length && times[drop] <= since) drop++;
  if (drop > 0) times.splice(0, drop);
}
