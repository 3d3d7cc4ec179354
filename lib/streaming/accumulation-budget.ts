/** How much text the stream observers of one interception may keep (tool-call arguments, thinking, output items). */
import { GatewayError } from '../errors';

/** Past the budget: the stream ends with this error (one protocol error event), and the upstream is cut. */
export function accumulationLimit(limit: number): GatewayError {
  return new GatewayError({ status: 502, errorType: 'server_error', code: 'accumulation_limit', message: `The upstream streamed more than the gateway keeps for one request: over ${limit} characters of tool-call arguments, thinking or output items (maxAccumulatedBytes).` });
}

/**
 * Counts what observers keep, in characters (UTF-16 code units: bytes for ASCII text, and a bound on memory
 * either way). `charge` throws the {@link accumulationLimit} error once the total passes `limit`; observers call
 * it from `accept`, so the relay's own failure path ends the stream and aborts the upstream.
 */
export class AccumulationBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  charge(size: number): void {
    this.used += size;
    if (this.used > this.limit) throw accumulationLimit(this.limit);
  }
}

/** No bound: for observers built outside a bridge (unit tests, tools). */
export const UNBOUNDED: AccumulationBudget = new AccumulationBudget(Number.POSITIVE_INFINITY);
