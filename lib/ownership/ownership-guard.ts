/** Checks that an actor owns the stored ids a request names, and records the ids an answer creates, before the client sees them. */
import type { Logger } from 'winston';
import { GatewayError } from '../errors';
import { FAILURE_LOG_INTERVAL_MS, LogThrottle } from '../observability/log-throttle';
import { errorMessage } from '../observability/logger';
import type { OwnershipConfig } from './ownership-options';
import type { OwnedKind, OwnedRef, OwnershipEntry } from './types';

/** Where an id was named: the wording of the upstream's own `404` differs. */
export type NamedWhere = 'bridged' | 'passthrough';

/** Upstream ids are short; anything longer is no id the bridge recorded (and is not echoed back whole). */
export const MAX_OWNED_ID_LENGTH = 256;

/**
 * Most distinct ids one request may name. Each is a store read (a Redis round trip per 16): without a bound, one
 * 32 MiB body of references costs about a million reads. Real clients name a handful.
 */
export const MAX_NAMED_IDS = 1024;

/** The `400` of a request naming more than {@link MAX_NAMED_IDS} distinct ids; undefined within the bound. */
export function tooManyNamed(count: number): GatewayError | undefined {
  if (count <= MAX_NAMED_IDS) return undefined;
  return new GatewayError({ status: 400, errorType: 'bad_request', code: 'invalid_request', message: `The request references ${count} stored items; at most ${MAX_NAMED_IDS} are accepted in one request.` });
}

const ITEM_NOT_FOUND = {
  code: 'item_not_found',
  message: (id: string) => `Item with id '${id}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`,
};

/** The upstream's own words for an id that does not exist (OpenAI's, and Anthropic's for a message batch). */
const NOT_FOUND: Record<OwnedKind, Record<NamedWhere, { code: string; message: (id: string) => string }>> = {
  response: {
    bridged: { code: 'previous_response_not_found', message: (id) => `Previous response with id '${id}' not found.` },
    passthrough: { code: 'response_not_found', message: (id) => `No response found with id '${id}'.` },
  },
  conversation: {
    bridged: { code: 'conversation_not_found', message: (id) => `Conversation with id '${id}' not found.` },
    passthrough: { code: 'conversation_not_found', message: (id) => `Conversation with id '${id}' not found.` },
  },
  // Items are only named in a bridged request's `input`; no passthrough route names one outside its conversation.
  item: { bridged: ITEM_NOT_FOUND, passthrough: ITEM_NOT_FOUND },
  // Only passthrough routes name a stored chat completion.
  chat_completion: {
    bridged: { code: 'not_found', message: (id) => `Chat completion with id '${id}' not found.` },
    passthrough: { code: 'not_found', message: (id) => `Chat completion with id '${id}' not found.` },
  },
  // Anthropic's message batches, on the routes a host opens (worded in the provider's shape by the caller).
  message_batch: {
    bridged: { code: 'not_found', message: (id) => `Message batch with id '${id}' not found.` },
    passthrough: { code: 'not_found', message: (id) => `Message batch with id '${id}' not found.` },
  },
};

export const OWNERSHIP_UNAVAILABLE = new GatewayError({ status: 503, errorType: 'server_error', code: 'ownership_unavailable', message: 'The gateway could not check or record who owns this stored state; please try again.' });

function notFound(kind: OwnedKind, where: NamedWhere, id: string): GatewayError {
  const words = NOT_FOUND[kind][where];
  const shown = id.length > MAX_OWNED_ID_LENGTH ? `${id.slice(0, MAX_OWNED_ID_LENGTH)}…` : id;
  return new GatewayError({ status: 404, errorType: 'bad_request', code: words.code, message: words.message(shown) });
}

/** One per bridge: the store, the unknown-id policy, and one throttled log line per store outage. */
export class OwnershipGuard {
  private readonly throttle = new LogThrottle(FAILURE_LOG_INTERVAL_MS);

  constructor(private readonly config: OwnershipConfig, private readonly logger: Logger) {}

  /**
   * Resolves when `actor` may name `ref` (to the response to continue from, when the store keeps one); throws
   * the provider's `404` when another actor owns it (or nobody known, under `'refuse'`), a `503` when the store failed.
   */
  async check(ref: OwnedRef, actor: string, where: NamedWhere): Promise<string | undefined> {
    if (ref.id.length > MAX_OWNED_ID_LENGTH) throw notFound(ref.kind, where, ref.id);
    let found;
    try {
      found = await this.config.store.getOwner(ref);
    } catch (err) {
      throw this.unavailable('reading', err);
    }
    if (!found) {
      if (this.config.unknownIds[ref.kind] === 'allow') return undefined;
      throw notFound(ref.kind, where, ref.id);
    }
    if (found.owner !== actor) throw notFound(ref.kind, where, ref.id);
    return found.continueFrom;
  }

  /** Writes owners; throws a `503` when the store failed, so that the id never reaches the client unowned. */
  async record(entries: readonly OwnershipEntry[]): Promise<void> {
    const usable = entries.filter((e) => e.id.length > 0 && e.id.length <= MAX_OWNED_ID_LENGTH);
    if (usable.length === 0) return;
    try {
      await this.config.store.setOwners(usable);
    } catch (err) {
      throw this.unavailable('writing', err);
    }
  }

  /** Tracks the response ids (or stored chat completion ids: `kind`) one bridged interception creates (one per upstream call of a tool loop). */
  responses(provider: string, owner: string, kind: 'response' | 'chat_completion' = 'response'): CreatedResponses {
    return new CreatedResponses(this, provider, owner, kind);
  }

  async close(): Promise<void> {
    if (!this.config.ownsStore) return;
    try {
      await this.config.store.close?.();
    } catch (err) {
      this.logger.warn('closing the ownership store failed', { error: errorMessage(err) });
    }
  }

  private unavailable(doing: string, err: unknown): GatewayError {
    const suppressed = this.throttle.allow(doing);
    if (suppressed !== false) this.logger.error(`aibridge: ownership store failed ${doing} an owner; refusing the request`, { error: errorMessage(err), suppressed });
    return OWNERSHIP_UNAVAILABLE;
  }
}

/**
 * The response ids of one interception. Each is owned by the actor; the first one (what a streamed answer's
 * `response.created` showed the client) also points at the latest, so that continuing from it continues from the
 * end of the tool loop rather than from a response that ends with an injected call.
 */
export class CreatedResponses {
  private first: string | undefined;

  constructor(private readonly guard: OwnershipGuard, private readonly provider: string, private readonly owner: string,
    private readonly kind: 'response' | 'chat_completion' = 'response') {}

  /** Owns response `id` and, in the same write, the output items it holds (a blocking answer has both at once). */
  created(id: string, items: readonly string[] = []): Promise<void> {
    const { provider, owner, kind } = this;
    const entries: OwnershipEntry[] = [{ provider, kind, id, owner }];
    if (this.first === undefined) this.first = id;
    else if (id !== this.first) entries.push({ provider, kind, id: this.first, owner, continueFrom: id });
    for (const item of items) entries.push({ provider, kind: 'item', id: item, owner });
    return this.guard.record(entries);
  }

  /** Owns the output items of a streamed response (one write), before its terminal event reaches the client. */
  items(ids: readonly string[]): Promise<void> {
    const { provider, owner } = this;
    return this.guard.record(ids.map((id) => ({ provider, kind: 'item', id, owner })));
  }
}
