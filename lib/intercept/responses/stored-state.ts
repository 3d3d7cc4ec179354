/** Stored state of the Responses API: `previous_response_id` and `conversation` named, response ids created. */
import type { NamedId, StoredStateRules } from '../../ownership/stored-state';
import type { SseEvent } from '../../streaming/sse-decoder';
import { idOfAnswer } from '../../ownership/answer-id';
import { setTopLevelField } from '../json-edit';
import { parseEvent } from './events';
import { isObject } from './output-items';

function named(body: Record<string, unknown>): NamedId[] {
  const ids: NamedId[] = [];
  if (typeof body.previous_response_id === 'string') ids.push({ kind: 'response', id: body.previous_response_id });
  // `conversation` is an id or `{ id }`.
  const conversation = isObject(body.conversation) ? body.conversation.id : body.conversation;
  if (typeof conversation === 'string') ids.push({ kind: 'conversation', id: conversation });
  return ids;
}

/** `response.created` (and every lifecycle event after it) carries the response and its id. */
function idInEvent(event: SseEvent): string | undefined {
  const parsed = parseEvent(event);
  const response = parsed?.data.response;
  return isObject(response) && typeof response.id === 'string' ? response.id : undefined;
}

export const responsesStoredState: StoredStateRules = {
  named,
  continueFrom: (raw, id) => setTopLevelField(raw, 'previous_response_id', JSON.stringify(id)),
  // The API stores responses unless told not to.
  stores: (body) => body.store !== false,
  idInAnswer: idOfAnswer,
  idInEvent,
};
