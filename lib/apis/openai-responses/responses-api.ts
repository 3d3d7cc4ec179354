/** The OpenAI Responses API: request checks, prompt, and the conversation its calls go through. */
import { clientToolNames, nameOrNested } from '../client-tool-names';
import type { ApiAdapter, ApiCall } from '../api';
import { openaiErrors } from '../openai-common/openai-errors';
import { errorEvent } from './events';
import { lastToolOutputCallId, lastUserPrompt } from './prompt';
import { ResponsesConversation } from './responses-conversation';
import { responsesStoredState } from './stored-state';
import { type JsonObject, isObject } from '../../json/parse-object';

function validate(body: JsonObject): string | undefined {
  // A stored prompt template may name the model itself.
  if ((typeof body.model !== 'string' || body.model === '') && !(body.model == null && isObject(body.prompt))) return '`model` must be a non-empty string.';
  if (body.input != null && typeof body.input !== 'string' && !Array.isArray(body.input)) return '`input` must be a string or an array.';
  if (body.stream != null && typeof body.stream !== 'boolean') return '`stream` must be a boolean.';
  if (body.tools != null && !Array.isArray(body.tools)) return '`tools` must be an array.';
  return undefined;
}

function prepare(body: JsonObject, raw: Buffer): ApiCall | string {
  const problem = validate(body);
  if (problem) return problem;
  const streaming = body.stream === true;
  return {
    model: typeof body.model === 'string' ? body.model : '',
    streaming,
    prompt: lastUserPrompt(body.input),
    correlatingToolCallId: lastToolOutputCallId(body.input),
    clientToolNames: () => clientToolNames(body.tools, nameOrNested),
    clientHasTools: Array.isArray(body.tools) && body.tools.length > 0,
    // A background response runs upstream after this request ends: there is no loop to run it in.
    takesTools: body.background !== true,
    conversation: (tools, budget, created) => new ResponsesConversation({
      raw, budget, created, input: body.input, chained: body.conversation != null, tools,
      toolChoice: body.tool_choice, clientHasTools: Array.isArray(body.tools) && body.tools.length > 0,
    }),
  };
}

/** `POST /v1/responses`. */
export const responsesApi: ApiAdapter = {
  name: 'responses',
  route: '/v1/responses',
  errors: openaiErrors,
  prepare,
  // Only used when no observer knows the stream's numbering: the observers answer with the next sequence number.
  streamErrorEvent: (error) => errorEvent(error, 0),
  storedState: responsesStoredState,
};
