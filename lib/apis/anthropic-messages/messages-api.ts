/** The Anthropic Messages API (`POST /v1/messages`): request checks and the conversation its calls go through. */
import { clientToolNames, nameOrNested } from '../client-tool-names';
import { anthropicErrorJson, anthropicErrors } from './anthropic-errors';
import { encodeSseEvent } from '../../streaming/sse-encoder';
import type { ApiAdapter, ApiCall } from '../api';
import { MessagesConversation } from './messages-conversation';
import { lastToolResultId, lastUserPrompt } from './prompt';
import { type JsonObject, isObject } from '../../json/parse-object';

/** Anthropic's keep-alive: clients and the SDK skip `ping` events. */
const PING = Buffer.from('event: ping\ndata: {"type": "ping"}\n\n');

/** Only what the bridge reads is checked; every other field (known to us or not) is the upstream's to judge. */
function validate(body: JsonObject): string | undefined {
  if (typeof body.model !== 'string' || body.model === '') return '`model` must be a non-empty string.';
  if (!Array.isArray(body.messages)) return '`messages` must be an array.';
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') return '`stream` must be a boolean.';
  if (body.tools !== undefined && body.tools !== null && !Array.isArray(body.tools)) return '`tools` must be an array.';
  const choice = body.tool_choice;
  if (choice !== undefined && choice !== null && !isObject(choice)) return '`tool_choice` must be an object.';
  return undefined;
}

function prepare(body: JsonObject, raw: Buffer): ApiCall | string {
  const problem = validate(body);
  if (problem) return problem;
  const toolChoice = isObject(body.tool_choice) ? body.tool_choice : undefined;
  return {
    model: body.model as string,
    streaming: body.stream === true,
    prompt: lastUserPrompt(body.messages),
    correlatingToolCallId: lastToolResultId(body.messages),
    clientToolNames: () => clientToolNames(body.tools, nameOrNested),
    clientHasTools: Array.isArray(body.tools) && body.tools.length > 0,
    // A client that forbids tool calls (`tool_choice: none`) gets no injected tools either.
    takesTools: toolChoice?.type !== 'none',
    // Without injected tools the body is the client's bytes as they came.
    conversation: (tools, budget) => new MessagesConversation({ base: raw, tools, clientToolChoice: toolChoice, budget }),
  };
}

/** `POST /v1/messages`. */
export const messagesApi: ApiAdapter = {
  name: 'messages',
  route: '/v1/messages',
  errors: anthropicErrors,
  prepare,
  streamErrorEvent(error) {
    return encodeSseEvent({ event: 'error', data: anthropicErrorJson(error.type, error.message) });
  },
  keepAliveEvent: PING,
};
