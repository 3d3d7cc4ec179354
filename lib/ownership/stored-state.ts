/** What an API with upstream-stored state tells the ownership stage: the ids a request names, the ids an answer creates. */
import type { SseEvent } from '../streaming/sse-decoder';
import type { OwnedKind } from './types';

/** An id of stored state a request names (e.g. `previous_response_id`, `conversation`, an `item_reference`). */
export interface NamedId {
  kind: OwnedKind;
  id: string;
}

/** Read by the pipeline; the API owns the field names and wire shapes. */
export interface StoredStateRules {
  /** The ids this request names, checked before anything is sent; a message when the naming is ambiguous (refused). */
  named(body: Record<string, unknown>, raw: Buffer): NamedId[] | string;
  /** `raw` with the named response replaced by `id` (a byte edit: the client's other bytes stay as sent). */
  continueFrom(raw: Buffer, id: string): Buffer;
  /** Whether this request names or keeps any stored state; false skips the stage at once. Absent: always checked. */
  inPlay?(body: Record<string, unknown>): boolean;
  /** What the ids this API's answers create name. Absent: responses. */
  readonly creates?: 'response' | 'chat_completion';
  /** Whether the upstream keeps what this request creates (nothing to own otherwise). */
  stores(body: Record<string, unknown>): boolean;
  /** The response id a blocking 2xx answer created, and the ids of the items it holds. */
  createdInAnswer(answer: Buffer): { id: string; items: readonly string[] } | undefined;
  /** The id a stream event announces (the first such event is held until its owner is written). */
  idInEvent(event: SseEvent): string | undefined;
}
