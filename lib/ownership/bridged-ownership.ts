/** The ownership stage of a bridged request: the ids it names are checked first, the ids its answers create are owned before release. */
import { GatewayError } from '../errors';
import type { UpstreamResponse } from '../http/upstream-client';
import { tooManyNamed, type CreatedResponses, type OwnershipGuard } from './ownership-guard';
import type { NamedId, StoredStateRules } from './stored-state';
import { readStreamHead } from './stream-head';

/** Item references checked concurrently (a store read each). */
const ITEM_CHECKS_AT_ONCE = 16;

/** What the stage decided for one request. */
export interface StoredStateAdmission {
  /** The client's body with a named response replaced by the one to continue from; undefined when unchanged. */
  raw: Buffer | undefined;
  /** Where the ids the answers create are recorded; undefined when the upstream keeps nothing. */
  created: CreatedResponses | undefined;
}

/** Who asks for stored state, through which provider and API's rules, checked by which guard. */
export interface StoredStateAsker {
  guard: OwnershipGuard;
  rules: StoredStateRules;
  provider: string;
  /** The actor's id. */
  actor: string;
}

/**
 * Checks every id the request names (throws the provider's `404` for another actor's), and rewrites a named
 * response the store aliases (the first id of a streamed tool loop → its last upstream response).
 */
export async function admitStoredState(asker: StoredStateAsker, body: Record<string, unknown>, raw: Buffer): Promise<StoredStateAdmission> {
  const { guard, rules, provider, actor } = asker;
  let rewritten: Buffer | undefined;
  const named = rules.named(body, raw);
  if (typeof named === 'string') throw new GatewayError({ status: 400, errorType: 'bad_request', code: 'invalid_request', message: named });
  const items: NamedId[] = [];
  for (const { kind, id } of named) {
    if (kind === 'item') {
      items.push({ kind, id });
      continue;
    }
    const continueFrom = await guard.check({ provider, kind, id }, actor, 'bridged');
    if (kind === 'response' && continueFrom !== undefined && continueFrom !== id) rewritten = rules.continueFrom(raw, continueFrom);
  }
  const tooMany = tooManyNamed(items.length);
  if (tooMany) throw tooMany;
  // A request may reference many items: a few reads in flight at once, rather than one round trip each in turn.
  for (let at = 0; at < items.length; at += ITEM_CHECKS_AT_ONCE) {
    await Promise.all(items.slice(at, at + ITEM_CHECKS_AT_ONCE).map((ref) => guard.check({ provider, ...ref }, actor, 'bridged')));
  }
  return { raw: rewritten, created: rules.stores(body) ? guard.responses(provider, actor, rules.creates) : undefined };
}

/** A 200 event stream comes back with its head held until the id its first lifecycle event names is owned. */
export async function ownStreamHead(upstream: UpstreamResponse, rules: StoredStateRules, created: CreatedResponses, maxEventBytes: number): Promise<UpstreamResponse> {
  const head = await readStreamHead(upstream.body, rules.idInEvent, maxEventBytes);
  upstream.body = head.body;
  if (head.id !== undefined) {
    try {
      await created.created(head.id);
    } catch (err) {
      // Nobody reads this body any more: its abort error has no one else to go to.
      upstream.body.on('error', () => undefined).destroy();
      throw err;
    }
  }
  return upstream;
}

/** A blocking 2xx answer (its id and its output items) is owned before it is relayed (or read by the tool loop). */
export async function ownAnswer(status: number, body: Buffer, rules: StoredStateRules, created: CreatedResponses): Promise<void> {
  if (status < 200 || status >= 300) return;
  const answer = rules.createdInAnswer(body);
  if (answer !== undefined) await created.created(answer.id, answer.items);
}
