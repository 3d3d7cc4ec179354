/** Stored state of the Responses API: `previous_response_id`, `conversation` and item references named, responses and items created. */
import type { NamedId, StoredStateRules } from '../../ownership/stored-state';
import type { SseEvent } from '../../streaming/sse-decoder';
import { JsonEditError, setTopLevelField, topLevelFieldSpan } from '../../json/json-edit';
import { createdInAnswer, referencedItems } from './item-ids';
import { parseEvent } from './events';
import { isObject } from '../../json/parse-object';

const NAMING_FIELDS = ['previous_response_id', 'conversation'];
const CLOSE_WITH_PLACEHOLDER = Buffer.from('"":0}');

/**
 * Whether `key` appears twice at the top level: JSON.parse keeps the last, another parser may keep the first, and
 * the check must see the id the upstream will use. The bytes before the last occurrence, closed, are scanned again.
 */
function repeated(raw: Buffer, key: string): boolean {
  const last = topLevelFieldSpan(raw, key);
  if (!last) return false;
  return topLevelFieldSpan(Buffer.concat([raw.subarray(0, last.keyStart), CLOSE_WITH_PLACEHOLDER]), key) !== undefined;
}

function named(body: Record<string, unknown>, raw: Buffer): NamedId[] | string {
  const twice = NAMING_FIELDS.find((key) => Object.hasOwn(body, key) && repeated(raw, key));
  if (twice) return `\`${twice}\` appears more than once.`;
  if (isObject(body.conversation)) {
    const span = topLevelFieldSpan(raw, 'conversation')!;
    if (repeated(raw.subarray(span.valueStart, span.valueEnd), 'id')) return '`conversation.id` appears more than once.';
  }
  const ids: NamedId[] = [];
  if (typeof body.previous_response_id === 'string') ids.push({ kind: 'response', id: body.previous_response_id });
  // `conversation` is an id or `{ id }`.
  const conversation = isObject(body.conversation) ? body.conversation.id : body.conversation;
  if (typeof conversation === 'string') ids.push({ kind: 'conversation', id: conversation });
  try {
    for (const id of referencedItems(raw)) ids.push({ kind: 'item', id });
  } catch (err) {
    if (!(err instanceof JsonEditError)) throw err;
    return '`input` could not be read.'; // JSON.parse accepted the body: not expected, and refused rather than unchecked
  }
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
  createdInAnswer,
  idInEvent,
};
