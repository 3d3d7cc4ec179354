/** `POST /v1/responses/compact` and `POST /v1/responses/input_tokens`: one JSON call each, the response ids they name owner-checked. */
import type { ApiAdapter, ApiCall } from '../api';
import type { Turn } from '../conversation';
import type { StoredStateRules } from '../../ownership/stored-state';
import { openaiErrors } from '../openai-common/openai-errors';
import { answerModel } from '../answer-model';
import { SingleCallConversation } from '../single-call-conversation';
import { encodeSseEvent } from '../../streaming/sse-encoder';
import { type JsonObject, isObject } from '../../json/parse-object';
import { lastUserPrompt } from './prompt';
import { responsesStoredState } from './stored-state';
import { responsesUsageToTokens } from './usage';

// They read stored state (`previous_response_id`, `conversation`, item references) but keep nothing new upstream.
const READS_ONLY: StoredStateRules = { ...responsesStoredState, stores: () => false };

function validate(body: JsonObject, modelRequired: boolean): string | undefined {
  if (modelRequired ? typeof body.model !== 'string' || body.model === '' : body.model != null && typeof body.model !== 'string') {
    return '`model` must be a non-empty string.';
  }
  if (body.input != null && typeof body.input !== 'string' && !Array.isArray(body.input)) return '`input` must be a string or an array.';
  if (body.stream === true) return '`stream` is not supported on this route.';
  return undefined;
}

/** A compaction is a model call: its `usage` is recorded like a response's. */
function compactionTurn(answer: JsonObject): Turn {
  return {
    msgId: typeof answer.id === 'string' ? answer.id : '',
    model: answerModel(answer.model),
    usage: isObject(answer.usage) ? responsesUsageToTokens(answer.usage) : undefined,
    toolCalls: [],
    thoughts: [],
  };
}

/** A count costs no tokens: nothing is recorded from its answer but that it came. */
function countTurn(): Turn {
  return { msgId: '', usage: undefined, toolCalls: [], thoughts: [] };
}

function preparer(modelRequired: boolean, readTurn: (answer: JsonObject) => Turn) {
  return function prepare(body: JsonObject, raw: Buffer): ApiCall | string {
    const problem = validate(body, modelRequired);
    if (problem) return problem;
    return {
      model: typeof body.model === 'string' ? body.model : '',
      streaming: false,
      prompt: lastUserPrompt(body.input),
      takesTools: false,
      conversation: () => new SingleCallConversation(raw, readTurn),
    };
  };
}

function streamErrorEvent(error: unknown): string {
  return encodeSseEvent({ data: JSON.stringify({ error }) });
}

/** `POST /v1/responses/compact`: bridged for its key pool, records (usage), limits and the owners of the ids it names. */
export const responsesCompactApi: ApiAdapter = {
  name: 'responses-compact',
  route: '/v1/responses/compact',
  errors: openaiErrors,
  prepare: preparer(true, compactionTurn),
  streamErrorEvent,
  storedState: READS_ONLY,
};

/** `POST /v1/responses/input_tokens`: bridged so that the ids it names are owner-checked; it records no usage. */
export const responsesInputTokensApi: ApiAdapter = {
  name: 'responses-input-tokens',
  route: '/v1/responses/input_tokens',
  errors: openaiErrors,
  prepare: preparer(false, countTurn),
  streamErrorEvent,
  storedState: READS_ONLY,
};
