/** Who a request is for: the host's user, as its `actor(req)` resolver returns it. */
import type { Request } from 'express';

/** The host's user behind a request. */
export interface Actor {
  id: string;
  metadata?: Record<string, unknown>;
}

/** Identifies the actor of a request; returning nothing means "not allowed" (`401`). */
export type ActorResolver = (req: Request) => Actor | null | undefined | false | Promise<Actor | null | undefined | false>;
