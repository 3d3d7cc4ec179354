/** What a model route hands to the provider it tries, and when a provider's failure leaves the request to the next one. */
import { GatewayError, type Refusal } from '../../errors';
import type { Actor } from '../../http/actor-types';
import type { JsonBody } from '../../http/read-body';
import { isCircuitOpen } from '../../governance/circuit-breakers';
import { gatewayErrorOf, type Ending } from '../failure';
import type { Interception } from '../interception';

/** A request a model route gives one of its providers: what the route already read, so nothing is read twice. */
export interface RoutedRequest {
  /** The route's name: in the records' `route`, the log lines' `routedBy`, the spans' `aibridge.route`. */
  readonly name: string;
  /** Undefined only with `atCapacity`, when the resolver would have had to be waited for (the refusal is not recorded then). */
  readonly actor: Actor | undefined;
  /** The client's body, read once by the route; undefined only with `atCapacity` (nothing more is read then). */
  readonly body: JsonBody | undefined;
  /**
   * The route's refusal for want of capacity, which this provider records and answers. Undefined when the route holds
   * the request's capacity slot (one per client request, whichever providers it goes through).
   */
  readonly atCapacity?: Refusal;
  /** The provider tried when this one cannot serve; undefined for the last one. */
  readonly next: string | undefined;
}

/**
 * Connection failures where the request never reached the upstream (refused, no such host, no route, connect
 * timeout): every key goes to the same address, so another key would fail the same way, and nothing was spent.
 * A reset or a timeout after the request was sent is not one: the upstream may have acted on it.
 */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** What {@link leavesToNext} reads of an interception. */
export interface TriedProvider {
  readonly res: { readonly headersSent: boolean };
  readonly signal: AbortSignal;
  /** Set once an upstream answer's head arrived: from then on the provider served (or failed) the request itself. */
  readonly firstByteAt: number | undefined;
  /** `attempts`: upstream attempts made (a connection failure before any is not the upstream's: a store, a hook). */
  readonly trace: { readonly exhausted?: boolean; readonly attempts: number };
}

/**
 * Whether `err` means the provider could not serve the request at all, with nothing sent to the client nor
 * answered by its upstream: every key cooling (the pool's `429`/`502`), its circuit open, or its upstream not
 * reachable. A `4xx` the request caused or any upstream answer is the provider's answer, and is relayed.
 */
export function leavesToNext(ix: TriedProvider, err: unknown): boolean {
  if (ix.res.headersSent || ix.signal.aborted || ix.firstByteAt !== undefined) return false;
  if (ix.trace.exhausted === true || isCircuitOpen(err)) return true;
  if (err instanceof GatewayError) return false;
  const code = (err as { code?: unknown } | null)?.code;
  return ix.trace.attempts > 0 && typeof code === 'string' && NOT_SENT.has(code);
}

/**
 * When `err` leaves `ix`'s request to its route's next provider ({@link leavesToNext}), ends `ix` without answering
 * and returns true: its rate-limit points go back (the client made one request), and its end record says where the
 * request went. False, with `ix` untouched, for a provider's own request, the route's last provider, or any failure
 * that is the provider's answer.
 */
export function leftToNextProvider(ix: Interception, err: unknown): boolean {
  const next = ix.routed?.next;
  if (next === undefined || !leavesToNext(ix, err)) return false;
  ix.limits?.refund();
  ix.end(unansweredEnding(ix, err, next));
  return true;
}

function unansweredEnding(ix: Interception, err: unknown, next: string): Ending {
  const error = gatewayErrorOf(ix, err);
  const errorMessage = `${error.message} The route "${ix.routed?.name}" went on to provider "${next}".`;
  return { httpStatus: error.status, status: 'failed', errorType: error.errorType, errorCode: error.code, errorMessage };
}
