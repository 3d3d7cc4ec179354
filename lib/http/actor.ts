/** Who is calling: asks the host's `actor(req)` and checks its answer. */
import type { Request } from 'express';
import { GatewayError } from '../errors';
import { errorMessage } from '../observability/logger';
import type { Logger } from 'winston';

import type { Actor, ActorResolver } from './actor-types';

export type { Actor, ActorResolver };

const NO_ACTOR = new GatewayError({ status: 401, errorType: 'unauthorized', code: 'unauthorized', message: 'Authentication required: no user could be identified for this request.' });

const ACTOR_FAILED = new GatewayError({ status: 500, errorType: 'server_error', code: 'internal_error', message: 'Could not identify the user of this request.' });

function resolverThrew(logger: Logger, err: unknown): never {
  logger.error('actor resolver threw', { error: errorMessage(err) });
  throw ACTOR_FAILED;
}

/**
 * The actor, or a {@link GatewayError}: `401` when there is none (falsy, or an empty id), `500` when the resolver
 * threw or answered something that is not `{ id: string | finite number }`. A numeric id is returned as a string.
 * A resolver that answers at once is answered at once (no promise), and its refusals are thrown; an async one's
 * answer comes as a promise that rejects the same way.
 */
export function resolveActor(resolver: ActorResolver, req: Request, logger: Logger): Actor | Promise<Actor> {
  let answer: ReturnType<ActorResolver>;
  try {
    answer = resolver(req);
  } catch (err) {
    resolverThrew(logger, err);
  }
  if (answer instanceof Promise || (typeof (answer as { then?: unknown } | null)?.then === 'function')) {
    if (!answersLater.has(resolver)) answersLater.add(resolver);
    return Promise.resolve(answer).then((actor) => checkedActor(actor, logger), (err: unknown) => resolverThrew(logger, err));
  }
  if (answersLater.has(resolver)) answersLater.delete(resolver);
  return checkedActor(answer as Actor | null | undefined | false, logger);
}

/** Resolvers whose last answer was a promise. */
const answersLater = new WeakSet<ActorResolver>();

/**
 * The actor when the resolver answers at once, for a request the bridge refuses anyway (past capacity): it is
 * asked only if its last answer came at once, so that a flood of refused requests never piles up waits on a slow
 * resolver. Undefined when it would have to be waited for, or when there is no actor.
 */
export function actorAtOnce(resolver: ActorResolver, req: Request, logger: Logger): Actor | undefined {
  if (answersLater.has(resolver)) return undefined;
  try {
    const answer = resolveActor(resolver, req, logger);
    if (!(answer instanceof Promise)) return answer;
    answer.catch(() => undefined);
  } catch {
    // No actor, or a failing resolver: the refusal goes out unrecorded.
  }
  return undefined;
}

function checkedActor(actor: Actor | null | undefined | false, logger: Logger): Actor {
  if (!actor) throw NO_ACTOR;
  const id = (actor as { id?: unknown }).id;
  if (typeof id === 'string') {
    if (id === '') throw NO_ACTOR;
    return actor;
  }
  // Database ids are often numbers; a number is unambiguous as text. Anything else is a bug in the host's resolver.
  if (typeof id === 'number' && Number.isFinite(id)) return { ...actor, id: String(id) };
  // The type only: the value may be a whole user object.
  const got = typeof actor !== 'object' ? `a ${typeof actor} instead of an object`
    : typeof id === 'number' ? 'a non-finite number as id' : `an id of type ${id === null ? 'null' : typeof id}`;
  logger.error(`createBridge option \`actor\` returned ${got}; expected { id: string | finite number, metadata? }`);
  throw ACTOR_FAILED;
}
