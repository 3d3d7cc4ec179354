/** The breaker's trip rule for cockatiel: N counted failures within a sliding window of time open the circuit. */
import { CircuitState, type IBreaker } from 'cockatiel';

/** Opens after `failures` failures within `windowMs`; successes do not erase earlier failures, a closing circuit does. */
export class FailureWindow implements IBreaker {
  /** When each failure still in the window happened (ms since the epoch), oldest first; at most `failures` of them. */
  private times: number[] = [];

  constructor(private readonly failures: number, private readonly windowMs: number) {}

  get state(): unknown {
    return { times: [...this.times] };
  }

  set state(value: unknown) {
    const times = (value as { times?: unknown } | null)?.times;
    this.times = Array.isArray(times) ? times.filter((t): t is number => typeof t === 'number').slice(-this.failures) : [];
  }

  /** Failures counted now (within the window). */
  recent(now = Date.now()): number {
    this.forget(now);
    return this.times.length;
  }

  success(state: CircuitState): void {
    // A probe that succeeded closes the circuit: it starts again with nothing counted.
    if (state === CircuitState.HalfOpen) this.times = [];
  }

  failure(state: CircuitState): boolean {
    if (state === CircuitState.HalfOpen) {
      this.times = [];
      return true;
    }
    const now = Date.now();
    this.forget(now);
    this.times.push(now);
    if (this.times.length < this.failures) return false;
    // The failures that opened the circuit are spent: after it closes, it takes N new ones.
    this.times = [];
    return true;
  }

  private forget(now: number): void {
    const since = now - this.windowMs;
    let drop = 0;
    while (drop < this.times.length && this.times[drop] <= since) drop++;
    if (drop > 0) this.times.splice(0, drop);
  }
}
