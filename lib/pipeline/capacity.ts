/** Overload protection: the requests in flight (bridged and passthrough), bounded in all and per actor. */
import type { ServerResponse } from 'node:http';
import type { Refusal } from '../errors';
import { ACTOR_AT_CAPACITY, AT_CAPACITY } from './refusals';

/**
 * Slots of in-flight requests. A request takes one of the bridge's as soon as it arrives, before the host's `actor`
 * resolver is asked (a resolver that is slow or never answers must not let requests pile up unbounded), then one of
 * its actor's once the actor is known. Each is given back exactly once, when the response ends or its connection
 * closes, whatever happened in between. A request refused here holds nothing, so refusing never disturbs the work
 * already admitted.
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

  /** Takes one of the bridge's slots until `res` closes: the slot, or the refusal to answer with when there is none. */
  enter(res: ServerResponse): CapacitySlot | Refusal {
    // A client that already left holds nothing: 'close' will not come again to give a slot back.
    if (res.closed) return EMPTY_SLOT;
    if (this.total >= this.max) return AT_CAPACITY;
    this.total++;
    return new HeldSlot(this, res);
  }

  /** @internal Takes a slot of `actorId`; false when it has none left. */
  takeActor(actorId: string): boolean {
    const own = this.byActor.get(actorId) ?? 0;
    if (own >= this.maxPerActor) return false;
    this.byActor.set(actorId, own + 1);
    return true;
  }

  /** @internal Gives back a slot of the bridge and, with `actorId`, one of that actor's. */
  leave(actorId: string | undefined): void {
    this.total--;
    if (actorId === undefined) return;
    const own = this.byActor.get(actorId)! - 1;
    if (own > 0) this.byActor.set(actorId, own);
    else this.byActor.delete(actorId);
  }
}

/** One request's hold on the capacity: the bridge's slot, then its actor's. */
export interface CapacitySlot {
  /** Takes `actorId`'s slot as well; the refusal when that actor has none left (the bridge's slot is then given back at once). */
  forActor(actorId: string): Refusal | undefined;
}

/** The slot of a request whose client already left: it holds nothing. */
const EMPTY_SLOT: CapacitySlot = { forActor: () => undefined };

class HeldSlot implements CapacitySlot {
  private actorId: string | undefined;
  private held = true;
  private readonly onClose = () => this.release();

  constructor(private readonly capacity: Capacity, private readonly res: ServerResponse) {
    // 'close' comes once per response: after it ended, or when its connection went away before.
    res.once('close', this.onClose);
  }

  forActor(actorId: string): Refusal | undefined {
    if (!this.held) return undefined;
    if (!this.capacity.takeActor(actorId)) {
      this.release();
      return ACTOR_AT_CAPACITY;
    }
    this.actorId = actorId;
    return undefined;
  }

  /** Gives everything back, once. */
  private release(): void {
    if (!this.held) return;
    this.held = false;
    this.res.off('close', this.onClose);
    this.capacity.leave(this.actorId);
  }
}
