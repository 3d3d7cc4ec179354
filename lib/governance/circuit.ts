/** One circuit (one provider + API + model) on cockatiel's breaker: who may go upstream now, and what each outcome does. */
import { CircuitBreakerPolicy, CircuitState, circuitBreaker, handleWhenResult } from 'cockatiel';
import { FailureWindow } from './failure-window';
import type { CircuitBreakerConfig } from './circuit-breaker-options';
import type { UpstreamOutcome } from './upstream-outcome';

/** A circuit's state as `stats()`, logs and metrics name it. */
export type CircuitStateName = 'closed' | 'open' | 'half-open';

/** What a circuit is called by: where its requests go. */
export interface CircuitName {
  readonly provider: string;
  readonly api: string;
  readonly model: string;
}

/** Told of each change of a circuit's state (logs, metrics). */
export type CircuitTransition = (circuit: Circuit, to: CircuitStateName) => void;

/** A request the circuit let through: report its upstream outcome once, when it ends. */
export interface CircuitPass {
  settle(outcome: UpstreamOutcome): void;
}

const STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/** What a request's promise resolves to inside cockatiel: its outcome, and whose request it was. */
interface Settled {
  outcome: UpstreamOutcome;
  actor: string;
}

const isFailure = handleWhenResult((r) => (r as Settled).outcome === 'failure' || (r as Settled).outcome === 'slow');
const ignore = () => undefined;

/**
 * One circuit. Each request runs inside cockatiel's `execute` as a promise that settles when the request ends, so
 * cockatiel keeps the state: closed (counting failures), open (refusing), half-open (one probe request in flight).
 * Requests that arrive while the probe runs are refused here rather than queued behind it.
 */
export class Circuit implements CircuitName {
  private readonly window: FailureWindow;
  private readonly policy: CircuitBreakerPolicy;
  /** When the circuit last opened (ms since the epoch). */
  private openedAt = 0;

  constructor(readonly provider: string, readonly api: string, readonly model: string, private readonly config: CircuitBreakerConfig, onTransition: CircuitTransition) {
    // cockatiel notes the failing result as its last failure just before it tells the window.
    this.window = new FailureWindow(config.failures, config.windowMs, config.minActors, () => {
      const settled = (this.policy.lastFailure as { value?: Settled } | undefined)?.value;
      return { slow: settled?.outcome === 'slow', actor: settled?.actor ?? '' };
    });
    this.policy = circuitBreaker(isFailure, { halfOpenAfter: config.openMs, breaker: this.window });
    this.policy.onStateChange((state) => {
      // cockatiel counts its open time from the same moment, just before it tells.
      if (state === CircuitState.Open) this.openedAt = Date.now();
      onTransition(this, STATE_NAMES[state]);
    });
  }

  get state(): CircuitStateName {
    return STATE_NAMES[this.policy.state];
  }

  /** Counted failures within the window, now. */
  get failures(): number {
    return this.window.recent();
  }

  /** While open: when the circuit lets its next probe through (ms since the epoch). */
  get openUntil(): number | undefined {
    return this.policy.state === CircuitState.Open ? this.openedAt + this.config.openMs : undefined;
  }

  /**
   * Lets a request of `actor` through (the probe, when the open time is over), or returns the seconds to wait before
   * trying again. Requests without an actor count as one actor.
   */
  admit(actor = ''): CircuitPass | number {
    const state = this.policy.state;
    if (state === CircuitState.HalfOpen) return 1;
    if (state === CircuitState.Open) {
      const wait = this.openUntil! - Date.now();
      if (wait > 0) return Math.ceil(wait / 1000);
    }
    const probe = state === CircuitState.Open;
    let resolve: ((settled: Settled) => void) | undefined;
    // cockatiel calls this function synchronously, before `execute` returns, when it lets the request through.
    this.policy.execute(() => new Promise<Settled>((r) => (resolve = r))).then(ignore, ignore);
    let settled = false;
    return {
      settle(outcome) {
        if (settled) return;
        settled = true;
        // A probe that learnt nothing (the client left, nothing was sent) proves nothing either: the circuit stays open.
        resolve?.({ outcome: probe && outcome === 'none' ? 'failure' : outcome, actor });
      },
    };
  }
}
