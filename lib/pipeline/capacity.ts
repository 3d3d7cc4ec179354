/** Overload protection: the requests in flight (bridged and passthrough), bounded in all and per actor. */
import type { ServerResponse } from 'node:http';
import type { Refusal } from '../errors';
import { ACTOR_AT_CAPACITY, AT_CAPACITY } from './refusals';

/**
 * Slots of in-flight requests. A request takes one once its actor is known and gives it back exactly once, when its
 * response ends or its connection closes, whatever happened in between. A request refused here takes none, so
 * refusing never disturbs the work already admitted.
 */
export class Capacity {
  private total = 0;
  /** In-flight count per actor id; an actor with none is not kept. */
  private readonly byActor = new Map<string, number>();

  constructor(private readonly max: number, private readonly maxPerActor: number) {}

  /** Requests in flight right now. */
  get inFlight(): number {
    return this.total;
  }

  /** Takes a slot for `actorId` until `res` closes; the refusal to answer with when there is none to take. */
  enter(res: ServerResponse, actorId: string): Refusal | undefined {
    // A client that already left holds nothing: 'close' will not come again to give a slot back.
    if (res.closed) return undefined;
    if (this.total >= this.max) return AT_CAPACITY;
    const own = this.byActor.get(actorId) ?? 0;
    if (own >= this.maxPerActor) return ACTOR_AT_CAPACITY;
    this.total++;
    this.byActor.set(actorId, own + 1);
    // 'close' comes once per response: after it ended, or when its connection went away before.
    res.once('close', () => this.leave(actorId));
    return undefined;
  }

  private leave(actorId: string): void {
    this.total--;
    const own = this.byActor.get(actorId)! - 1;
    if (own > 0) this.byActor.set(actorId, own);
    else this.byActor.delete(actorId);
  }
}
