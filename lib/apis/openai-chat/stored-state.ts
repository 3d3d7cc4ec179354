/** Stored state of chat completions: a request names none; an answer with `store: true` creates a chat completion id its actor owns. */
import type { StoredStateRules } from '../../ownership/stored-state';
import type { SseEvent } from '../../streaming/sse-decoder';
import { isObject, parseObject } from '../../json/parse-object';

const NONE: never[] = [];

/** The `id` of a chunk (every chunk of a stream carries the same one). */
function idInEvent(event: SseEvent): string | undefined {
  if (event.data === undefined || event.data === '[DONE]') return undefined;
  try {
    const chunk: unknown = JSON.parse(event.data);
    return isObject(chunk) && typeof chunk.id === 'string' ? chunk.id : undefined;
  } catch {
    return undefined;
  }
}

export const chatStoredState: StoredStateRules = {
  named: () => NONE,
  continueFrom: (raw) => raw,
  creates: 'chat_completion',
  // Only what the client asked to keep is kept upstream: without `store: true` there is nothing to own, and the
  // ownership stage is skipped (a chat request names no stored state).
  inPlay: (body) => body.store === true,
  stores: (body) => body.store === true,
  createdInAnswer(answer) {
    const id = parseObject(answer)?.id;
    return typeof id === 'string' ? { id, items: NONE } : undefined;
  },
  idInEvent,
};
