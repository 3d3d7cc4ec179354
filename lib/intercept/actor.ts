/** Who is calling: asks the host's `actor(req)` and checks its answer. */
import type { Request } from 'express';
import { GatewayError } from '../errors';
import { errorMessage } from '../observability/logger';
import type { Logger } from 'winston';

/** The host's user behind a request. */
export interface Actor {
  id: string;
  metadata?: Record<string, unknown>;
}

/** Identifies the actor of a request; returning nothing means "not allowed" (`401`). */
export type ActorResolver = (req: Request) => Actor | null | undefined | false | Promise<Actor | null | undefined | false>;

const NO_ACTOR = new GatewayError(401, 'unauthorized', 'unauthorized', 'Authentication required: no user could be identified for this request.');

/** The actor, or a {@link GatewayError}: `401` when there is none, `500` when the resolver itself failed. */
export async function resolveActor(resolver: ActorResolver, req: Request, logger: Logger): Promise<Actor> {
  let actor: Actor | null | undefined | false;
  try {
    actor = await resolver(req);
  } catch (err) {
    logger.error('actor resolver threw', { error: errorMessage(err) });
    throw new GatewayError(500, 'server_error', 'internal_error', 'Could not identify the user of this request.');
  }
  if (!actor || typeof actor.id !== 'string' || actor.id === '') throw NO_ACTOR;
  return actor;
}
