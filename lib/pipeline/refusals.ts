/** The bridge's own refusals (authorization, guardrails, capacity): the errors the client gets, and how each is counted. */
import { Refusal } from '../errors';
import type { BridgeRuntime, ProviderRuntime } from './runtime';

/** The hook said no: a `403` in the provider's shape with the hook's reason. */
export function deniedRefusal(reason: string): Refusal {
  return new Refusal({ status: 403, errorType: 'denied', code: 'forbidden', message: reason });
}

/** The hook threw, answered something that is not a verdict, or missed its deadline: fail closed, say nothing of why. */
export const AUTHORIZE_FAILED = new Refusal({
  status: 500, errorType: 'server_error', code: 'authorize_failed', message: 'The gateway could not authorize this request.',
});

/** The guard blocked the request: a `400` in the provider's shape with the guard's reason. */
export function guardBlockedRefusal(reason: string): Refusal {
  return new Refusal({ status: 400, errorType: 'denied', code: 'guard_blocked', message: reason });
}

/** The response guard blocked the answer: a `502` (the upstream answered, the gateway will not relay it). */
export function guardBlockedAnswerRefusal(reason: string): Refusal {
  return new Refusal({ status: 502, errorType: 'denied', code: 'guard_blocked', message: reason });
}

/** The guard threw, answered something that is not a verdict, missed its deadline or made an invalid edit: fail closed. */
export const GUARD_FAILED = new Refusal({
  status: 500, errorType: 'server_error', code: 'guard_failed', message: 'The gateway could not check this request against its guardrails.',
});

/** Past `maxConcurrent`. */
export const AT_CAPACITY = new Refusal({
  status: 503, errorType: 'overloaded', code: 'at_capacity', message: 'The gateway is at capacity; retry shortly.', retryAfterSec: 1,
});

/** Past `maxConcurrentPerActor`. */
export const ACTOR_AT_CAPACITY = new Refusal({
  status: 503, errorType: 'overloaded', code: 'at_capacity', retryAfterSec: 1,
  message: 'Too many of your requests are in flight at once; retry when one of them has finished.',
});

/** Counts `refusal` for `provider` (its `stats()` counters and the `refusals_total` metric), and returns it. */
export function counted(refusal: Refusal, provider: ProviderRuntime, bridge: BridgeRuntime): Refusal {
  const counters = provider.counters;
  switch (refusal.code) {
    case 'forbidden': counters.denied++; break;
    case 'authorize_failed': counters.authorizeFailed++; break;
    case 'at_capacity': counters.atCapacity++; break;
    case 'guard_blocked': counters.guardBlocked++; break;
    case 'guard_failed': counters.guardFailed++; break;
  }
  bridge.metrics?.refused(provider.adapter.name, refusal.code);
  return refusal;
}
